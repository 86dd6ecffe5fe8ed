"""The 2010-04-01 REST API: Accounts, Balance, IncomingPhoneNumbers."""
