"""ExperiencesRepository.news_between: what the digests tell of experiences."""

from datetime import datetime, timedelta

from storage import Repositories


async def _create(repos: Repositories, title: str, themes: list[str], at: datetime) -> int:
    fields = {
        "title": title,
        "reserve": "Sierra Nevada",
        "country": "ES",
        "themes": themes,
        "summary": "Done.",
    }
    return (await repos.experiences.create(None, "en", fields, at)).id


async def test_first_submission_and_selection_in_the_window_of_the_themes(
    repos: Repositories, now: datetime
) -> None:
    day = timedelta(days=1)
    old = await _create(repos, "Old", ["climate"], now - 10 * day)
    new = await _create(repos, "New", ["biodiversity", "climate"], now + day)
    other = await _create(repos, "Other", ["water"], now + 2 * day)
    declined = await _create(repos, "Declined", ["climate"], now + day)
    await repos.experiences.set_status(old, "changes_requested", now - 9 * day)
    await repos.experiences.set_status(old, "submitted", now + day)  # resubmitted: not new
    await repos.experiences.set_status(old, "selected", now + 3 * day)
    await repos.experiences.set_status(declined, "declined", now + 2 * day)

    every = await repos.experiences.news_between(None, now, now + 7 * day)
    climate = await repos.experiences.news_between(["climate"], now, now + 7 * day)
    early = await repos.experiences.news_between(["climate"], now, now + 2 * day)

    assert [(n.experience_id, n.event) for n in every] == [
        (new, "submitted"),
        (other, "submitted"),
        (old, "selected"),
    ]
    assert [(n.title, n.event, n.themes) for n in climate] == [
        ("New", "submitted", ("biodiversity", "climate")),
        ("Old", "selected", ("climate",)),
    ]
    assert climate[1].at == now + 3 * day
    assert [n.experience_id for n in early] == [new]
    assert await repos.experiences.news_between([], now, now + 7 * day) == []
