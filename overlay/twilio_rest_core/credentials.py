"""Which credentials to send, from arguments or the environment, never shown in text."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping

from . import defaults as D
from .errors import ConfigurationError


class Hidden:
    """A secret held so that repr(), and so a traceback that captures locals, never shows it.

    A client's constructor wraps its secret arguments in this first thing, and deletes
    the plain names, so no frame of a constructor that raises holds them in clear.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | None) -> None:
        self._value = value or None

    def reveal(self) -> str | None:
        return self._value

    def __bool__(self) -> bool:
        return self._value is not None

    def __repr__(self) -> str:
        return "Hidden(...)" if self._value is not None else "Hidden(None)"


Secret = Hidden | str | None


def _reveal(secret: Secret) -> str | None:
    return secret.reveal() if isinstance(secret, Hidden) else (secret or None)


def _environment(
    environ: Mapping[str, str] | None,
) -> tuple[str | None, Hidden, str | None, Hidden]:
    """TWILIO_ACCOUNT_SID, _AUTH_TOKEN, _API_KEY, _API_SECRET (os.environ, whose repr
    shows every secret of the process, is a local only here, where nothing raises)."""
    env = os.environ if environ is None else environ
    return (
        env.get(D.ENV_ACCOUNT_SID) or None,
        Hidden(env.get(D.ENV_AUTH_TOKEN)),
        env.get(D.ENV_API_KEY) or None,
        Hidden(env.get(D.ENV_API_SECRET)),
    )


class Credentials:
    """HTTP Basic credentials for Twilio: Account SID + Auth Token, or API Key + Secret.

    With an API key the key SID and secret are the Basic pair; the account SID still
    names the account. Arguments win over environment variables and are never mixed
    with them (see `resolve`).
    """

    __slots__ = ("_authorization", "account_sid", "username")

    def __init__(self, account_sid: str | None, username: str, secret: Secret) -> None:
        self.account_sid = account_sid
        self.username = username
        # surrogatepass: encoding never raises, so this frame never shows up in a traceback.
        pair = f"{username}:{_reveal(secret) or ''}".encode("utf-8", "surrogatepass")
        self._authorization = "Basic " + base64.b64encode(pair).decode("ascii")

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
        auth_token: Secret = None,
        api_key: str | None = None,
        api_secret: Secret = None,
        environ: Mapping[str, str] | None = None,
    ) -> Credentials:
        """The arguments' credentials when any secret is given (the environment is not read
        then); else the environment's, whose secret belongs to TWILIO_ACCOUNT_SID: an
        `account_sid` argument naming another account is refused rather than sent with it.
        """
        auth_token, api_secret = Hidden(_reveal(auth_token)), Hidden(_reveal(api_secret))
        if auth_token or api_key or api_secret:
            return cls._from(
                account_sid, auth_token, api_key or None, api_secret, where="arguments"
            )
        env_account, env_token, env_key, env_secret = _environment(environ)
        del environ  # a caller's mapping may hold other secrets: not a local when raising
        if account_sid and (env_token or env_key or env_secret) and account_sid != env_account:
            raise ConfigurationError(
                f"account_sid={account_sid!r} was given without its secret, and the "
                f"environment's credentials are for {env_account or 'an account not named'} "
                f"({D.ENV_ACCOUNT_SID}): pass auth_token= (or api_key= and api_secret=) "
                "with account_sid=; environment credentials are used only for their own account."
            )
        return cls._from(
            account_sid or env_account, env_token, env_key, env_secret, where="environment"
        )

    @classmethod
    def _from(
        cls,
        account_sid: str | None,
        auth_token: Hidden,
        api_key: str | None,
        api_secret: Hidden,
        *,
        where: str,
    ) -> Credentials:
        """One source's credentials, or an error naming what that source lacks."""
        arguments = where == "arguments"
        if api_key or api_secret:
            if not (api_key and api_secret):
                missing = (
                    ("api_secret=" if arguments else D.ENV_API_SECRET)
                    if api_key
                    else ("api_key=" if arguments else D.ENV_API_KEY)
                )
                raise ConfigurationError(
                    f"API key authentication needs both a key and its secret: {missing} is "
                    f"missing from the {where} (pass api_key= and api_secret=, or set "
                    f"{D.ENV_API_KEY} and {D.ENV_API_SECRET})."
                )
            return cls(account_sid, api_key, api_secret)
        if account_sid and auth_token:
            return cls(account_sid, account_sid, auth_token)
        if arguments:
            raise ConfigurationError(
                "auth_token= was given without account_sid=: pass both to the client "
                "(credentials given as arguments are never completed from the environment)."
            )
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
