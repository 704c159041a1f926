"""What every app uses and none owns: CSV responses and exports, Markdown, periods and
"today" in a time zone, middleware, health probes and system checks. Imports nothing of ours."""
