"""URL modules, each with its namespace: `console:` (account pages), `organizations:`, `api:`
(the 2010-04-01 REST API) and `v1:` (the v1 REST APIs); sign-in pages keep Django's names."""
