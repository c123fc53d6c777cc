"""Qt widgets, pages and dialogs. Talks to app.services only — never to the database."""
