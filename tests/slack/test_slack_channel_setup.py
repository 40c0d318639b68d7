"""The Slack channel is on only with both secrets set, and posts replies into the thread through
SLACK_API_URL."""

from __future__ import annotations

import logging

from channels.reseller_slack import DISABLED_NOTICE, ResellerSlackBot, ResellerSlackInput
from tests.support.slack_fakes import BOT_TOKEN, SIGNING_SECRET, FakeSlackApi


def test_without_both_secrets_slack_is_disabled_and_says_so_once(monkeypatch, caplog):
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    with caplog.at_level(logging.INFO, logger="channels.reseller_slack"):
        channel = ResellerSlackInput.from_credentials({"use_threads": True})
    assert channel.enabled is False
    assert (
        [r.getMessage() for r in caplog.records]
        == ["Slack: disabled (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to enable)"]
        == [DISABLED_NOTICE]
    )


def test_with_both_secrets_slack_is_enabled_with_threads_and_the_configured_api(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")
    channel = ResellerSlackInput.from_credentials(None)
    assert channel.enabled and channel.use_threads and channel.name() == "slack"
    assert (
        channel.get_output_channel("D0DIRECT1", "1795000000.000100").client.base_url
        == "http://127.0.0.1:9/api/"
    )


async def test_replies_are_one_message_each_in_the_thread_with_slack_characters_escaped():
    with FakeSlackApi() as fake:
        bot = ResellerSlackBot(BOT_TOKEN, "D0DIRECT1", "1795000000.000100", api_url=fake.url)
        await bot.send_text_message("ignored", "Smith & Sons <renewals>\n\n```\nA  B\n```")
        await bot.send_text_with_buttons("ignored", "Pick *one*", [{"title": "Yes", "payload": "yes"}])
    plain, with_buttons = fake.messages()
    assert plain["text"] == "Smith &amp; Sons &lt;renewals&gt;\n\n```\nA  B\n```"
    assert plain["thread_ts"] == with_buttons["thread_ts"] == "1795000000.000100"
    assert "as_user" not in plain
    assert with_buttons["blocks"][0]["text"] == {"type": "mrkdwn", "text": "Pick *one*"}
    assert with_buttons["blocks"][1]["elements"][0]["value"] == "yes"
