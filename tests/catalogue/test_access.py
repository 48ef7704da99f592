"""The authorisation table (geo.catalogue.access.can): every role x every action, written out.

The expected table is typed here independently of ``ALLOWED``: a change to who may do what must change
both, and an action or a role added without a decision here fails.
"""

from __future__ import annotations

import pytest

from geo.catalogue.access import ACTIONS, ROLES, AccessDenied, can, require, visible_statuses

S, A, OW, P = "staff", "analyst", "owner", "public"
#: action -> the roles that may take it (every other role is refused).
EXPECTED: dict[str, set[str]] = {
    "read_unpublished": {S},
    "review_queue": {S},
    "verify": {S},
    "publish": {S},
    "send_back": {S},
    "read_enquiries": {S},
    "answer_enquiries": {S},
    "list_due": {S},
    "review_brownfields": {S, A},
}


def test_the_table_names_every_action_and_role():
    assert set(EXPECTED) == set(ACTIONS)
    assert set(ROLES) == {S, A, OW, P}


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", [S, A, OW, P])
def test_can(role, action):
    assert can(role, action) is (role in EXPECTED[action])
    if role in EXPECTED[action]:
        require(role, action)  # allowed: returns
    else:
        with pytest.raises(AccessDenied, match="Access denied"):
            require(role, action)


@pytest.mark.parametrize("role", [None, "", "Staff", "staff ", "admin", "root", "STAFF"])
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_an_unknown_role_may_do_nothing(role, action):
    assert can(role, action) is False
    with pytest.raises(AccessDenied):
        require(role, action)


@pytest.mark.parametrize("action", ["publish ", "Publish", "delete", "", "read_all"])
def test_an_unknown_action_is_a_bug_not_a_refusal(action):
    with pytest.raises(ValueError) as exc:
        can(S, action)
    assert str(exc.value) == f"unknown action {action!r}: one of {', '.join(ACTIONS)}"


def test_the_refusal_is_translated():
    with pytest.raises(AccessDenied) as exc:
        require(P, "publish")
    assert exc.value.message("it") != exc.value.message("en")


@pytest.mark.parametrize("role,expected", [(S, None), (A, ("published",)), (OW, ("published",)),
                                           (P, ("published",)), ("admin", ("published",)), (None, ("published",))])
def test_visible_statuses_follow_can(role, expected):
    assert visible_statuses(role) == expected
