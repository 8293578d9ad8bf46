"""Which credentials to send, from arguments or the environment, never shown in text."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping

from . import defaults as D
from .errors import ConfigurationError


class Credentials:
    """HTTP Basic credentials for Twilio: Account SID + Auth Token, or API Key + Secret.

    With an API key the key SID and secret are the Basic pair; the account SID still
    names the account. Arguments win over environment variables.
    """

    __slots__ = ("_authorization", "account_sid", "username")

    def __init__(self, account_sid: str | None, username: str, secret: str) -> None:
        self.account_sid = account_sid
        self.username = username
        token = base64.b64encode(f"{username}:{secret}".encode()).decode("ascii")
        self._authorization = f"Basic {token}"

    @property
    def authorization(self) -> str:
        """The Authorization header value."""
        return self._authorization

    def __repr__(self) -> str:
        return f"Credentials(account_sid={self.account_sid!r}, username={self.username!r})"

    @classmethod
    def resolve(
        cls,
        account_sid: str | None = None,
        auth_token: str | None = None,
        api_key: str | None = None,
        api_secret: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Credentials:
        env = os.environ if environ is None else environ
        account_sid = account_sid or env.get(D.ENV_ACCOUNT_SID) or None
        api_key = api_key or env.get(D.ENV_API_KEY) or None
        api_secret = api_secret or env.get(D.ENV_API_SECRET) or None
        if api_key or api_secret:
            if not (api_key and api_secret):
                missing = D.ENV_API_SECRET if api_key else D.ENV_API_KEY
                raise ConfigurationError(
                    f"API key authentication needs both a key and its secret; set {missing} "
                    f"(or pass api_key= and api_secret=)."
                )
            return cls(account_sid, api_key, api_secret)
        auth_token = auth_token or env.get(D.ENV_AUTH_TOKEN) or None
        if account_sid and auth_token:
            return cls(account_sid, account_sid, auth_token)
        if account_sid:
            missing = f"{D.ENV_AUTH_TOKEN} is not set ({D.ENV_ACCOUNT_SID} is)"
        elif auth_token:
            missing = f"{D.ENV_ACCOUNT_SID} is not set ({D.ENV_AUTH_TOKEN} is)"
        else:
            missing = f"neither {D.ENV_ACCOUNT_SID} nor {D.ENV_AUTH_TOKEN} is set"
        raise ConfigurationError(
            f"No Twilio credentials: {missing}. Set both, or {D.ENV_API_KEY} and "
            f"{D.ENV_API_SECRET} with {D.ENV_ACCOUNT_SID}; or pass account_sid= and "
            "auth_token= (or api_key= and api_secret=) to the client."
        )
