"""The renewal checklist over REST, from "I want to renew" to a case reference."""

import re

QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"


def test_a_customer_types_the_eight_items_with_typos_and_gets_a_case(assistant, sender):
    assert "company name" in assistant.say(sender, "I want to renew our maintenance")
    assert "address" in assistant.say(sender, "Acme Widgets Pty Ltd")
    assert "phone number" in assistant.say(sender, "Level 3, 45 Pitt Street, Sydney NSW 2000")
    # A wrong number is explained and asked again.
    assert "too short" in assistant.say(sender, "9555 01")
    assert "contact person" in assistant.say(sender, "(02) 9555 0101")
    assert "email" in assistant.say(sender, "Sarah O'Brien")
    assert "product" in assistant.say(sender, "sarah.obrien@acmewidgets.com.au")
    product = assistant.say(sender, "wory free advnaced on windows")
    assert "Worry-Free Business Security Advanced" in product and "How many users" in product
    assert "expire" in assistant.say(sender, "25 users")
    summary = assistant.say(sender, "27/12/2026")
    assert "Company name: Acme Widgets Pty Ltd" in summary
    assert "Telephone number: (02) 9555 0101" in summary  # as people write it
    assert "Licence expiry date: 27 December 2026" in summary
    done = assistant.say(sender, "Confirm, those details are correct")
    reference = re.search(r"RN-2026-\d{6}", done).group(0)
    assert "Trend Micro Technical Support will contact Sarah O'Brien" in done
    assert assistant.tracker(sender)["slots"]["case_reference"] == reference


def test_a_known_licence_prefills_the_checklist_and_a_change_is_asked_again(assistant, sender):
    assistant.say(sender, f"when does {QUOKKA} expire")
    summary = assistant.say(sender, "I want to renew it")
    assert "on file" in summary and "Quokka Travel" in summary
    assert "jack.williams" not in summary  # contact details on file are masked
    assert "email" in assistant.say(sender, "the email address is wrong")
    summary = assistant.say(sender, "accounts@quokkatravel.com.au")
    assert "Contact email: accounts@quokkatravel.com.au" in summary
    done = assistant.say(sender, "Confirm, those details are correct")
    assert "Harbour Systems Pty Ltd will contact" in done


def test_stop_asks_first_then_discards(assistant, sender):
    assistant.say(sender, "I want to renew our maintenance")
    assistant.say(sender, "Acme Widgets Pty Ltd")
    assert "discarded" in assistant.say(sender, "stop")
    assert "stopped the renewal request" in assistant.say(sender, "yes")
    assert assistant.tracker(sender)["slots"]["company_name"] is None


def test_asking_for_a_person_after_the_renewal_opens_a_linked_case_and_names_both(assistant, sender):
    assistant.say(sender, f"when does {QUOKKA} expire")
    assert "Quokka Travel" in assistant.say(sender, "renew it pls")
    renewal = re.search(r"RN-2026-\d{6}", assistant.say(sender, "yep all correct")).group(0)
    handoff = assistant.say(sender, "actually can i talk to someone")
    references = re.findall(r"RN-2026-\d{6}", handoff)
    assert len(set(references)) == 2 and renewal in references
    assert f"Your renewal case {renewal} stays open, and the person who joins can see it." in handoff
