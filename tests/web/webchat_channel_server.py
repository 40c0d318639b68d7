"""A Sanic app with only the web chat channel, for tests/web/test_web_channel.py.

`python tests/web/webchat_channel_server.py PORT`; CHAT_SESSION_SECRET and WEB_ORIGIN from the
environment. Instead of Rasa's agent it answers every message with "<conversation id>: <text>"
through the channel's output, and `POST /deliver/<conversation id>` sends "later" through
`get_output_channel()`, as Rasa's API does with `output_channel=latest`.
"""

import sys

from sanic import Sanic, response

from channels.signed_socketio import SignedSocketIOInput


def main() -> None:
    port = int(sys.argv[1])
    channel = SignedSocketIOInput.from_credentials(
        {"socketio_path": "/socket.io", "session_persistence": True}
    )
    app = Sanic("webchat_channel_test")

    async def echo(message) -> None:
        await message.output_channel.send_text_message(
            message.sender_id, f"{message.sender_id}: {message.text}"
        )

    app.blueprint(channel.blueprint(echo), url_prefix="/webhooks/webchat")

    @app.post("/deliver/<conversation_id>")
    async def deliver(_, conversation_id: str):
        await channel.get_output_channel().send_text_message(conversation_id, "later")
        return response.json({"ok": True})

    app.run(host="127.0.0.1", port=port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
