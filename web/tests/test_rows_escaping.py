"""The lists rendered in Python (web/rows.py) escape every value as templates do."""

import pytest
from django.utils import timezone

from accounts.models import User
from tickets.models import TicketStatus
from tickets.tests.factories import TicketFactory
from web.tests.conftest import session_client

pytestmark = pytest.mark.django_db

EVIL = "<script>alert(1)</script>\"'&"


def _assert_escaped(body: str) -> None:
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;&amp;" in body


def test_ticket_list_queue_and_compliance_rows_escape_what_members_typed(
    cycle, soprano_leader, soprano_member
):
    User.objects.filter(pk=soprano_member.user.pk).update(display_name=EVIL)
    TicketFactory(
        cycle=cycle,
        created_by=soprano_member.user,
        title=EVIL,
        song_ref=EVIL,
        measures="1-2",
        visibility="TEAM",
    )
    TicketFactory(
        cycle=cycle,
        created_by=soprano_member.user,
        title=EVIL,
        status=TicketStatus.RESOLVED,
        resolved_at=timezone.now(),
        resolved_note=EVIL,
        visibility="SECTION",
        section="Soprano",
    )
    client = session_client(soprano_leader)
    team_id = cycle.team_id
    _assert_escaped(client.get(f"/app/t/{team_id}/tickets").content.decode())
    section = client.get(f"/app/t/{team_id}/section").content.decode()
    _assert_escaped(section)  # the verification queue and the compliance table
    assert section.count("&lt;script&gt;") >= 2
