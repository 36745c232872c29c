"""Who hears which domain event. Called by `create_app` and by the command line (`reportit …`),
so every process that runs domain functions has the same subscribers.

A new domain adds its events to `reportit.events` and its handlers here; a domain never imports
another to tell it something.
"""

from __future__ import annotations

from reportit import events


def wire_domains() -> None:
    from reportit.push import handlers as push

    events.subscribe_all({
        events.ReportCreated: [push.follow_reporter],
        events.StatusChanged: [push.queue_notifications],
    })
