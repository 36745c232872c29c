"""Alerts: what a resident watches (a place and radius, later a ward) and what they want to hear of
it (new planning or licensing applications, changes to applications they follow, new problems
reported nearby). It subscribes to other domains' events in `reportit.wiring`."""
