"""The v1 REST APIs (monitor.twilio.com, accounts.twilio.com), served from this host."""
