"""The suite's fake credentials, made at import so no real-looking value sits in a file.

The token is unique to this project, so finding it anywhere (cassettes, logs) is a leak.
"""

from __future__ import annotations

import base64
import hashlib


def _hex(label: str) -> str:
    return hashlib.sha256(f"twilio-studio-steps test {label}".encode()).hexdigest()[:32]


TEST_ACCOUNT_SID = "AC" + _hex("account")
TEST_AUTH_TOKEN = "tok-canary-" + _hex("token")[:20]
TEST_API_KEY = "SK" + _hex("api key")
TEST_API_SECRET = "sec-canary-" + _hex("api secret")[:20]
# What recordings carry instead of the account SID.
SCRUBBED_ACCOUNT_SID = "AC" + "a" * 32


def basic(user: str, secret: str) -> str:
    return base64.b64encode(f"{user}:{secret}".encode()).decode()


SECRETS = {
    "auth token": TEST_AUTH_TOKEN,
    "API secret": TEST_API_SECRET,
    "account SID": TEST_ACCOUNT_SID,
    "Basic value (token)": basic(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN),
    "Basic value (key)": basic(TEST_API_KEY, TEST_API_SECRET),
}


def scrub(text: str) -> str:
    """Replace every credential-derived value; the account SID becomes a fake one."""
    for secret in (TEST_AUTH_TOKEN, TEST_API_SECRET, *SECRETS.values()):
        if secret != TEST_ACCOUNT_SID:
            text = text.replace(secret, "REDACTED")
    return text.replace(TEST_ACCOUNT_SID, SCRUBBED_ACCOUNT_SID)
