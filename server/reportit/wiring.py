"""Who hears which domain event. Called by `create_app` and by the command line (`reportit …`),
so every process that runs domain functions has the same subscribers.

A new domain adds its events to `reportit.events` and its handlers here; a domain never imports
another to tell it something.
"""

from __future__ import annotations

from reportit import events, personal_data


def wire_domains() -> None:
    from reportit.alerts import handlers as alerts
    from reportit.alerts import personal as alerts_personal
    from reportit.alerts import store as alerts_store
    from reportit.applications import representations_notify as representations
    from reportit.applications import representations_personal
    from reportit.push import handlers as push
    from reportit.push import personal as push_personal
    from reportit.reports import owner as reports_owner
    from reportit.reports import personal as reports_personal

    events.subscribe_all({
        events.ReportCreated: [push.follow_reporter, alerts.report_created],
        events.StatusChanged: [push.queue_notifications],
        events.DeviceJoinedAccount: [reports_owner.adopt_reports, push.reach_the_account, alerts_store.adopt_alerts],
        events.AccountErased: [push_personal.forget_follower, reports_personal.forget_reporter,
                               alerts.forget_watcher, representations_personal.forget_representor],
        events.ApplicationReceived: [alerts.application_received],
        events.ApplicationChanged: [alerts.application_changed, representations.tell_representors],
    })
    # "Download my data": each domain answers for its own tables.
    personal_data.register_collectors([reports_personal.collect, push_personal.collect, alerts_personal.collect,
                                       representations_personal.collect])
