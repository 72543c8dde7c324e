"""Claims of an imported row: the secretariat's buttons and the texts each side reads
(docs/secretariat.md, "Confirming claims")."""

from __future__ import annotations

from bot.i18n import Translator
from bot.rendering import Html, bold, escape
from bot.routing import CallbackData, callback_data
from storage.models import Person


@callback_data("ic")
class ClaimDecision(CallbackData):
    """Confirm or Reject under the secretariat's notice of a claim."""

    claim_id: int
    confirm: bool


def _who(person: Person) -> Html:
    username = f" @{person.username}" if person.username else ""
    return Html(bold(person.name) + escape(username))


def _listed(person: Person) -> Html:
    details = [person.name]
    details += [value for value in (person.reserve, person.organisation, person.email) if value]
    return escape(", ".join(details))


def claim_notice(tr: Translator, account: Person, imported: Person) -> Html:
    """What the secretariat reads: the new account and the list's row it may be."""
    return tr(
        "🪪 A new account has the @username of someone in the participant list.\n"
        "Account: {account}\n"
        "Participant list: {listed}\n"
        "Confirm if they are the same person: the account gets the list's details and "
        "groups. Reject to keep them apart.",
        account=_who(account),
        listed=_listed(imported),
    )


def decided_line(tr: Translator, confirmed: bool, by: str) -> Html:
    if confirmed:
        return tr("✅ Confirmed by {name}.", name=by)
    return tr("❌ Rejected by {name}.", name=by)


def account_notice(tr: Translator, confirmed: bool) -> Html:
    """What the account holder is told once the secretariat decided."""
    if confirmed:
        return tr(
            "The secretariat confirmed that you are in the network's participant list: your "
            "profile now holds the list's details and your working groups. /me shows them."
        )
    return tr(
        "The secretariat could not match your account to the network's participant list. "
        "If you think this is a mistake, write to the secretariat."
    )


def decision_buttons(tr: Translator, claim_id: int) -> dict[str, list[list[dict[str, str]]]]:
    """Confirm / Reject, the same under a notice and in /claims."""
    return {
        "inline_keyboard": [
            [
                {"text": tr("Confirm"), "callback_data": ClaimDecision(claim_id, True).pack()},
                {"text": tr("Reject"), "callback_data": ClaimDecision(claim_id, False).pack()},
            ]
        ]
    }


def waiting_summary(tr: Translator, shown: int, total: int) -> Html:
    """The first line of /claims."""
    if total == 0:
        return tr("No claim is waiting for a decision.")
    if shown == total:
        return tr.plural(
            "{count} claim is waiting for a decision:",
            "{count} claims are waiting for a decision:",
            total,
            count=total,
        )
    return tr.plural(
        "{count} claim is waiting for a decision; here are the {shown} oldest:",
        "{count} claims are waiting for a decision; here are the {shown} oldest:",
        total,
        count=total,
        shown=shown,
    )
