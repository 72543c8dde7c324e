"""Three months of introductions for 40 people against the emulator, read from their chats.

Forty members in eight countries and four languages send ``/intros monthly`` (a third of them
with their own hours, ``8-17``) in one burst in mid-January; the bot's own due-work runtime
runs each monthly round when the test clock reaches the month (February's is the first). Each
person's chat shows, every month, either an introduction in their language (the other
person's card, the interests they share, two times in the reader's zone) or the word that they
wait for next month. Asserted from what people receive: both people of a pair are told of each
other, never the same pair twice in three months, every pair across countries and sharing an
interest, both shown times inside both working days; "We met" taps counted in the
secretariat's ``/intros``; someone who said ``/intros off`` before the third month hears
nothing more.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.context import WnmrcApplication
from bot.formats import format_when, zone_name
from bot.opportunities import intros
from bot.outbox import DeliveryConfig
from sandbox.emulator import Emulator, SimUser
from storage import Repositories

from ..conftest import FAST_DELIVERY, SECRETARIAT_ID
from .test_opportunities import member, say

START = datetime(2026, 1, 20, 10, tzinfo=UTC)
MONTHS = (
    datetime(2026, 2, 2, 9, tzinfo=UTC),
    datetime(2026, 3, 2, 9, tzinfo=UTC),
    datetime(2026, 4, 1, 9, tzinfo=UTC),
)
PLACES = (
    ("PE", "America/Lima"), ("ES", "Europe/Madrid"), ("CN", "Asia/Shanghai"),
    ("FR", "Europe/Paris"), ("KE", "Africa/Nairobi"), ("MX", "America/Mexico_City"),
    ("NP", "Asia/Kathmandu"), ("AR", "America/Argentina/Buenos_Aires"),
)  # fmt: skip
LANGUAGES = ("en", "es", "zh", "fr")
INTERESTS = ("climate", "biodiversity", "glaciers", "water", "tourism")
HEADER = {
    "en": "👋 Your introduction this month: ",
    "es": "👋 Tu presentación de este mes: ",
    "zh": "👋 本月为您介绍：",
    "fr": "👋 Votre rencontre du mois\u202f: ",
}
SHARED = {
    "en": "You share: ",
    "es": "Tienen en común: ",
    "zh": "共同兴趣：",
    "fr": "Vous avez en commun\u202f: ",
}
TIMES = {
    "en": "Two times that suit you both: ",
    "es": "Dos horarios que les convienen a ambos: ",
    "zh": "两个对双方都合适的时间：",
    "fr": "Deux horaires qui vous conviennent à tous les deux\u202f: ",
}
WAITS = {
    "en": "⏳ No introduction for you this month",
    "es": "⏳ Este mes no hay presentación para ti",
    "zh": "⏳ 本月没有为您安排介绍",
    "fr": "⏳ Pas de rencontre pour vous ce mois-ci",
}
WE_MET = {
    "en": "🤝 We met",
    "es": "🤝 Nos reunimos",
    "zh": "🤝 我们已见面",
    "fr": "🤝 Nous nous sommes parlé",
}
CLOCK = re.compile(r"(\d{2}):(\d{2}) \(")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def delivery() -> DeliveryConfig:
    return FAST_DELIVERY


@pytest.fixture
def publish_menus() -> bool:
    return False


class Someone:
    """One of the forty: who they are, as the test knows them."""

    def __init__(self, number: int, user: SimUser) -> None:
        self.number = number
        self.user = user
        self.name = user.first_name
        self.country, self.zone = PLACES[number % len(PLACES)]
        self.language = LANGUAGES[number % 4]
        self.interests = {INTERESTS[number % 5], INTERESTS[(number * 3 + 1) % 5]}
        self.hours = (8 * 60, 17 * 60) if number % 3 == 0 else intros.DEFAULT_HOURS


async def forty(emulator: Emulator, repos: Repositories) -> list[Someone]:
    people = []
    for number in range(40):
        country, zone = PLACES[number % len(PLACES)]
        user = await member(
            emulator, repos, f"M{number:02d}", LANGUAGES[number % 4],
            role="researcher", country=country, zone=zone, speaks=[LANGUAGES[number % 4]],
            interests=[INTERESTS[number % 5], INTERESTS[(number * 3 + 1) % 5]],
            reserve=f"Reserve {number % 13}",
        )  # fmt: skip
        people.append(Someone(number, user))
    return people


async def all_join(emulator: Emulator, people: list[Someone]) -> None:
    """Everyone sends /intros monthly at once; each is answered in their language."""
    before = {p.name: len(emulator.sent_to(p.user)) for p in people}
    for person in people:
        hours = " 8-17" if person.hours != intros.DEFAULT_HOURS else ""
        emulator.send_text(person.user, f"/intros monthly{hours}")
    await emulator.wait_until(
        lambda: all(len(emulator.sent_to(p.user)) > before[p.name] for p in people), timeout=20
    )
    for person in people:
        reply = emulator.sent_to(person.user)[-1].text or ""
        shown = "08:00–17:00" if person.hours != intros.DEFAULT_HOURS else "09:00–18:00"
        assert shown in reply, reply


async def month_round(
    emulator: Emulator, people: list[Someone], taking_part: list[Someone]
) -> dict[str, str]:
    """Waits for each participant's one message of the month; who each was introduced to
    (their name), or "" for someone told to wait."""
    marks = {p.name: len(emulator.sent_to(p.user)) for p in people}

    def everyone_told() -> bool:
        return all(len(emulator.sent_to(p.user)) > marks[p.name] for p in taking_part)

    await emulator.wait_until(everyone_told, timeout=20)
    await emulator.settle()
    partners: dict[str, str] = {}
    for person in people:
        new = [e.text or "" for e in emulator.sent_to(person.user)[marks[person.name] :]]
        if person not in taking_part:
            assert new == [], new
            continue
        (text,) = new
        if text.startswith(WAITS[person.language]):
            partners[person.name] = ""
            continue
        assert text.startswith(HEADER[person.language]), text
        partners[person.name] = text.removeprefix(HEADER[person.language]).split("\n")[0]
    return partners


def check_introduction(
    text: str, reader: Someone, other: Someone, labels: dict[str, dict[str, str]]
) -> None:
    """The other's card, the interests both share in the reader's words, and two times shown
    in the reader's zone inside the reader's working day."""
    lines = text.split("\n")
    assert lines[0] == HEADER[reader.language] + other.name
    assert other.name in lines[2]
    assert f"Reserve {other.number % 13}" in text
    (shared,) = [line for line in lines if line.startswith(SHARED[reader.language])]
    named = shared.removeprefix(SHARED[reader.language])
    for interest in INTERESTS:
        label = labels[reader.language].get(interest, interest)
        assert (label in named) == (interest in reader.interests & other.interests), named
    (times,) = [line for line in lines if line.startswith(TIMES[reader.language])]
    assert times.count(f"({zone_name(reader.zone, reader.language)})") == 2, times
    for hour, minute in CLOCK.findall(times):
        begin = int(hour) * 60 + int(minute)
        assert reader.hours[0] <= begin <= reader.hours[1] - intros.CALL_MINUTES


async def test_three_months_of_introductions_for_40_people_read_from_their_chats(
    emulator: Emulator, repos: Repositories, app: WnmrcApplication, clock: ManualClock
) -> None:
    people = await forty(emulator, repos)
    by_name = {p.name: p for p in people}
    await all_join(emulator, people)
    assert len(await repos.opportunities.intro_hours()) == 40
    # Joined in mid-January: the first round is February's, nobody is paired before.
    app.services.runtime.wake()
    await emulator.settle()
    assert not await repos.opportunities.intro_months()
    labels = {
        language: {
            slug: group.name(language)
            for slug in ("climate", "biodiversity")
            if (group := await repos.groups.by_slug(slug)) is not None
        }
        for language in LANGUAGES
    }
    secretariat = emulator.add_user("Sec", language_code="en", user_id=SECRETARIAT_ID)
    await emulator.says(secretariat, "/start")
    before = await say(emulator, secretariat, "/intros")
    assert "No introductions have been made yet." in (before.text or "")

    met_before: set[frozenset[str]] = set()
    taking_part = list(people)
    for index, month in enumerate(MONTHS):
        clock.set(month)
        app.services.runtime.wake()  # the bot's runtime runs the month's round
        partners = await month_round(emulator, people, taking_part)
        stored = {
            frozenset((p.person_a, p.person_b)): p
            for p in await repos.opportunities.intro_pairs(intros.month_of(month))
        }
        paired = {name: other for name, other in partners.items() if other}
        assert len(paired) >= 28, partners  # at least 14 pairs of 40 (39)
        for name, other_name in paired.items():
            reader, other = by_name[name], by_name[other_name]
            assert partners[other_name] == name  # both are told of each other
            assert reader.country != other.country
            assert reader.interests & other.interests
            couple = frozenset((name, other_name))
            assert couple not in met_before
            text = [e.text or "" for e in emulator.sent_to(reader.user)][-1]
            check_introduction(text, reader, other, labels)
            # The shown times are the pair's, in the reader's zone; both inside the other's day.
            ids = [await person_id(repos, p.user) for p in (reader, other)]
            pair = stored[frozenset(ids)]
            for start in (pair.first_start, pair.second_start):
                assert format_when(start, ZoneInfo(reader.zone), reader.language) in text
                local = start.astimezone(ZoneInfo(other.zone))
                begin = local.hour * 60 + local.minute
                assert local.weekday() < 5
                assert other.hours[0] <= begin <= other.hours[1] - intros.CALL_MINUTES
        met_before |= {frozenset(c) for c in paired.items()}
        waiting = [name for name, other in partners.items() if not other]
        assert len(paired) + len(waiting) == len(taking_part)

        if index == 0:
            # /intros shows this month's introduction again, with its buttons.
            someone = by_name[min(paired)]
            first_told = emulator.sent_to(someone.user)[-1].text
            again = await say(emulator, someone.user, "/intros")
            assert again.text == first_told
            assert WE_MET[someone.language] in [b.text for row in again.buttons for b in row]
            await taps_we_met(emulator, by_name, paired)
            summary = await say(emulator, secretariat, "/intros")
            pairs = len(paired) // 2
            assert (summary.text or "").endswith(
                f"Introductions in February 2026: 3 of {pairs} pairs said they met."
            )
        if index == 1:  # one leaves before the third month: 39 take part, one waits at least
            leaver = people[5]
            gone = await say(emulator, leaver.user, "/intros off")
            assert (leaver.language, gone.text) == ("es", "Ya no se te presentará a nadie.")
            taking_part.remove(leaver)
    assert waiting  # in the third month, with 39 people


async def person_id(repos: Repositories, user: SimUser) -> int:
    person = await repos.people.by_telegram_id(user.id)
    assert person is not None
    return person.id


async def taps_we_met(
    emulator: Emulator, by_name: dict[str, Someone], paired: dict[str, str]
) -> None:
    """Three pairs say they met (one of them both people): counted once per pair."""
    couples = sorted({tuple(sorted(c)) for c in paired.items()})[:3]
    tappers = [by_name[a] for a, _ in couples] + [by_name[couples[0][1]]]
    for someone in tappers:
        entry = emulator.sent_to(someone.user)[-1]
        message = emulator.message(someone.user.id, entry.message_id)
        assert message is not None
        answered = len(emulator.callback_answers)
        emulator.tap(someone.user, message, WE_MET[someone.language])
        await emulator.wait_until(lambda n=answered: len(emulator.callback_answers) > n)
