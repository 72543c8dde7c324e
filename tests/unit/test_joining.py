"""Joining rules as plain functions: what each policy admits, the words /policy takes, which
deep-link arguments can be invitation tokens."""

import pytest

from bot.joining import Admission, admission, invite_token_ok, parse_policy
from storage.models import JoinPolicy


@pytest.mark.parametrize(
    ("policy", "before", "secretariat", "expected"),
    [
        ("open", False, False, Admission.JOIN),
        ("approval", False, False, Admission.ASK),
        ("invite", False, False, Admission.INVITE_ONLY),
        ("approval", True, False, Admission.JOIN),
        ("invite", True, False, Admission.JOIN),
        ("invite", False, True, Admission.JOIN),
    ],
)
def test_what_each_policy_admits(
    policy: JoinPolicy, before: bool, secretariat: bool, expected: Admission
) -> None:
    assert admission(policy, admitted_before=before, secretariat=secretariat) is expected


def test_policy_words() -> None:
    assert parse_policy(" Open ") == "open"
    assert parse_policy("INVITE") == "invite"
    assert parse_policy("approval") == "approval"
    assert parse_policy("closed") is None
    assert parse_policy("") is None


def test_invitation_tokens() -> None:
    assert invite_token_ok("0123456789abcdef0123")
    assert not invite_token_ok("climate")
    assert not invite_token_ok("0123")
    assert not invite_token_ok("ABCDEF0123456789")
