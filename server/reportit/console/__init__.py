"""The officer console: sign-in, case list, case page, dashboard, export, audit and staff admin."""
