"""Where the digests found the upcoming-meetings section before the meetings became a
package; the reminders themselves are ``bot/meetings/reminders.py``."""

from bot.meetings.upcoming import UPCOMING_HEADING, UPCOMING_WINDOW, UpcomingMeetingsProvider

__all__ = ["UPCOMING_HEADING", "UPCOMING_WINDOW", "UpcomingMeetingsProvider"]
