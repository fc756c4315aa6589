"""The HTTP adapter: any server speaking the register's API (the national register, or `register serve`).

Each call: the circuit breaker's permission, a cached Maskinporten token for the rights package's scope (on
behalf of the role's organisation), one pooled request, the whole body read into one buffer (never partial)
and parsed once. Failures on the way become ``UpstreamUnavailableError`` (504 timeout, 502 broken answer,
503 unreachable or breaker open, 429 throttled); the register's own error answers (400, 404, …) pass on as
``UpstreamError`` with its body.
"""

from __future__ import annotations

import importlib.util
import logging
import random
import ssl
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import httpx
import orjson

from fiks_folkeregister import __version__
from fiks_folkeregister.domain.heltall import is_ascii_digits
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.upstream.delegation import current_organisation
from fiks_folkeregister.upstream.maskinporten import MaskinportenError
from fiks_folkeregister.upstream.port import Kriterier, UpstreamError
from fiks_folkeregister.upstream.resilience import (
    MASKINPORTEN_AVVISTE,
    MASKINPORTEN_UTILGJENGELIG,
    REGISTERET_AVVISTE_PLATTFORMEN,
    REGISTERET_FEILET,
    REGISTERET_STRUPER,
    REGISTERET_SVARER_IKKE,
    REGISTERET_UTILGJENGELIG,
    CircuitBreaker,
    RetryPolicy,
    UpstreamUnavailableError,
    parse_retry_after,
)

#: Larger answers are refused rather than held in memory (a 1000-person bulk lookup is a few MB).
MAX_BODY_BYTES = 64 * 1024 * 1024
JSON = "application/json"

log = logging.getLogger(__name__)

Params = list[tuple[str, str]]


class TokenSource(Protocol):
    """Where access tokens to the register come from (``MaskinportenClient`` fits)."""

    def token(self, scope: str, consumer_org: str | None = None) -> str: ...

    def invalidate(self, scope: str, consumer_org: str | None, token: str) -> None: ...

    def close(self) -> None: ...


class UpstreamConfigurationError(Exception):
    """The HTTP upstream cannot be built as configured (the message says which setting)."""


@dataclass(frozen=True)
class Timeouts:
    """Per attempt: connecting (and waiting for a pooled connection), and each read/write of the exchange."""

    connect_seconds: float = 2.0
    read_seconds: float = 12.0

    def httpx(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect_seconds,
            read=self.read_seconds,
            write=self.read_seconds,
            pool=self.connect_seconds,
        )


class _BodyTooLarge(Exception):
    pass


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes | bytearray


class HttpUpstream:
    """`Upstream` over HTTP, under ``base_url`` (e.g. ``https://folkeregisteret.api.skatteetaten.no``)."""

    def __init__(
        self,
        base_url: str,
        tokens: TokenSource,
        *,
        timeouts: Timeouts | None = None,
        policy: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        delegation: bool = True,
        http2: bool = False,
        trust: ssl.SSLContext | None = None,
        max_connections: int = 100,
        max_body_bytes: int = MAX_BODY_BYTES,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if http2 and importlib.util.find_spec("h2") is None:
            raise UpstreamConfigurationError(
                "FIKSREG_UPSTREAM_HTTP2=true needs the 'h2' package (pip install 'httpx[http2]'); "
                "it is not installed, so turn HTTP/2 off or install it"
            )
        self.base_url = base_url.rstrip("/")
        self._tokens = tokens
        self._policy = policy or RetryPolicy()
        self.breaker = breaker or CircuitBreaker(self.base_url)
        self._delegation = delegation
        self._max_body = max_body_bytes
        self._sleep = sleep
        self._clock = clock
        self._rng = random.Random()
        self._client = httpx.Client(
            base_url=self.base_url,
            http1=True,
            http2=http2,
            timeout=(timeouts or Timeouts()).httpx(),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={"Accept": JSON, "User-Agent": f"fiks-folkeregister/{__version__}"},
            follow_redirects=False,
            # The CAs trusted for the register's certificate; None: the default (certifi, SSL_CERT_FILE).
            verify=trust if trust is not None else True,
            transport=transport,
        )

    def close(self) -> None:
        """Close the pooled connections to the register and to the token endpoint (at shutdown)."""
        self._client.close()
        self._tokens.close()

    @property
    def closed(self) -> bool:
        return self._client.is_closed

    @property
    def tokens(self) -> TokenSource:
        """Where this adapter's access tokens come from."""
        return self._tokens

    # The port: one method per register resource.

    def person(
        self, pakke: Rettighetspakke, personidentifikator: str, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        return self._call("GET", pakke, "personer/{}", _parts(parts), values=(personidentifikator,))

    def bulkoppslag(
        self, pakke: Rettighetspakke, body: Any, parts: Sequence[str] | None, som_bestilt: bool
    ) -> dict[str, Any]:
        params = _parts(parts) + ([("somBestilt", "true")] if som_bestilt else [])
        return self._call("POST", pakke, "personer/bulkoppslag", params, body)

    def arkivperson(
        self, pakke: Rettighetspakke, dokumentidentifikator: str, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        return self._call("GET", pakke, "personer/arkiv/{}", _parts(parts), values=(dokumentidentifikator,))

    def bulkoppslag_arkiv(
        self, pakke: Rettighetspakke, body: Any, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        return self._call("POST", pakke, "personer/bulkoppslag/arkiv", _parts(parts), body)

    def soek(self, pakke: Rettighetspakke, kriterier: Kriterier) -> dict[str, Any]:
        return self._call("GET", pakke, "personer/soek", _criteria(kriterier))

    def entydigsoek(
        self, pakke: Rettighetspakke, kriterier: Kriterier, parts: Sequence[str] | None
    ) -> dict[str, Any]:
        return self._call("GET", pakke, "personer/entydigsoek", _criteria(kriterier) + _parts(parts))

    # Events and extracts: the register files extract jobs under the token's organisation (delegation).

    def hendelser_feed(self, pakke: Rettighetspakke, seq: str | None) -> list[dict[str, Any]]:
        params = [("seq", seq)] if seq is not None else []
        return self._call("GET", pakke, "hendelser/feed", params, expect=list)

    def siste_sekvensnummer(self, pakke: Rettighetspakke) -> int:
        return self._call("GET", pakke, "hendelser/siste/sekvensnummer", [], expect=int)

    def hendelse(self, pakke: Rettighetspakke, hendelsesidentifikator: str) -> dict[str, Any]:
        return self._call("GET", pakke, "hendelser/{}", [], values=(hendelsesidentifikator,))

    def hendelser_bulkoppslag(self, pakke: Rettighetspakke, body: Any) -> list[dict[str, Any]]:
        return self._call("POST", pakke, "hendelser/bulkoppslag", [], body, expect=list)

    def uttrekk_tilpasset(self, pakke: Rettighetspakke, body: Any) -> dict[str, Any]:
        # Orders a job: not repeated after a failure that may have reached the register.
        return self._call("POST", pakke, "uttrekk/tilpasset", [], body, idempotent=False)

    def uttrekk_komplett(self, pakke: Rettighetspakke, feedsekvensnr: str | None) -> dict[str, Any]:
        params = [("feedsekvensnr", feedsekvensnr)] if feedsekvensnr is not None else []
        return self._call("GET", pakke, "uttrekk/komplett", params, idempotent=False)

    def uttrekk_batch(self, pakke: Rettighetspakke, jobbid: str, batchnr: str) -> dict[str, Any]:
        return self._call("GET", pakke, "uttrekk/{}/batch/{}", [], values=(jobbid, batchnr))

    # One call, with retries.

    def _call(
        self,
        method: str,
        pakke: Rettighetspakke,
        resource: str,
        params: Params,
        body: Any = None,
        *,
        values: Sequence[str] = (),
        idempotent: bool = True,
        expect: type = dict,
    ) -> Any:
        """``resource``: the path under the package, with ``{}`` where each of ``values`` goes (quoted as one
        segment; only the template is ever logged, never the identifiers in it); ``idempotent``: safe to
        repeat (lookups and searches only read, the bulk lookups too, though POST); ``expect``: the JSON
        type of a successful answer (an object, or a list for events)."""
        path = resource.format(*(_segment(value) for value in values))
        url = f"/folkeregisteret/{pakke.value}/api/v1/{path}"
        content = orjson.dumps(body) if body is not None else None
        scope = pakke.scope
        organisation = current_organisation() if self._delegation else None
        policy = self._policy
        deadline = self._clock() + policy.deadline_seconds
        attempt, token_refreshed = 0, False
        while True:
            attempt += 1
            retry_left = attempt < policy.attempts

            def may_wait(seconds: float, *, retry_left: bool = retry_left) -> bool:
                return retry_left and self._clock() + seconds < deadline

            self.breaker.before_call()
            try:
                token = self._tokens.token(scope, organisation)
            except MaskinportenError as error:
                self.breaker.release_trial()
                if error.transient and may_wait(pause := policy.backoff(attempt, self._rng)):
                    self._sleep(pause)
                    continue
                raise _token_failure(error) from None
            try:
                answer = self._exchange(method, url, params, content, token)
            except httpx.TimeoutException as error:
                self.breaker.record_failure()
                # Only a connection never made is retried: a slow register is not asked twice as hard.
                if isinstance(error, httpx.ConnectTimeout | httpx.PoolTimeout) and may_wait(
                    pause := policy.backoff(attempt, self._rng)
                ):
                    self._retry_pause(method, resource, attempt, type(error).__name__, pause)
                    continue
                raise UpstreamUnavailableError(
                    504,
                    REGISTERET_SVARER_IKKE,
                    "The population register did not answer in time; try again later",
                ) from None
            except (httpx.TransportError, _BodyTooLarge) as error:
                self.breaker.record_failure()
                if untrusted := _certificate_refusal(error):
                    # Configuration, not weather: asking again cannot help; the operator must act.
                    log.error(
                        "the register's TLS certificate is not trusted (%s); if a private CA signs it, "
                        "set FIKSREG_UPSTREAM_CA_BUNDLE",
                        untrusted,
                    )
                    raise _transport_failure(error) from None
                not_sent = isinstance(error, httpx.ConnectError)
                if (idempotent or not_sent) and may_wait(pause := policy.backoff(attempt, self._rng)):
                    self._retry_pause(method, resource, attempt, type(error).__name__, pause)
                    continue
                raise _transport_failure(error) from None

            status = answer.status
            if status in policy.retry_statuses:
                self.breaker.record_failure()
                if idempotent and may_wait(pause := policy.backoff(attempt, self._rng)):
                    self._retry_pause(method, resource, attempt, str(status), pause)
                    continue
                raise UpstreamUnavailableError(
                    502,
                    REGISTERET_FEILET,
                    f"The population register failed ({status}); try again later",
                    details={"registerStatus": status},
                )
            self.breaker.record_success()
            if status == 401 and not token_refreshed:
                # Expired or revoked before our cache thought so: one new token, one more try.
                self._tokens.invalidate(scope, organisation, token)
                token_refreshed = True
                attempt -= 1
                log.info("the register refused the platform's token for %s; fetching a new one", scope)
                continue
            if status == 401:
                # Our token, even a fresh one, is refused: the platform's problem, not the caller's.
                raise UpstreamUnavailableError(
                    502,
                    REGISTERET_AVVISTE_PLATTFORMEN,
                    f"The population register refused the platform's access token for {pakke.value}",
                    details={"registerStatus": status, "registerFeilkode": _feilkode(answer.body)},
                )
            # A 429 to an order (an extract job) is the register's business limit: passed on as it is.
            if status == 429 and idempotent:
                wait = parse_retry_after(answer.headers.get("retry-after"))
                if policy.acceptable_wait(wait) and may_wait(wait or 0.0):
                    log.info("the register throttles (429); waiting %.1fs as it asks", wait)
                    self._sleep(wait or 0.0)
                    continue
                raise UpstreamUnavailableError(
                    429,
                    REGISTERET_STRUPER,
                    "The population register is throttling the platform; try again later",
                    retry_after=wait if wait is not None else 1.0,
                )
            if status >= 400:
                raise _register_error(answer)
            if not 200 <= status < 300 or status == 204:
                raise UpstreamUnavailableError(
                    502,
                    REGISTERET_FEILET,
                    f"The population register gave an unexpected answer ({status})",
                    details={"registerStatus": status},
                )
            return _json_answer(answer, expect)

    def _exchange(self, method: str, url: str, params: Params, content: bytes | None, token: str) -> _Answer:
        """One request; the whole body is read into one buffer before anything is parsed."""
        headers = {"Authorization": f"Bearer {token}"}
        if content is not None:
            headers["Content-Type"] = JSON
        request = self._client.build_request(method, url, params=params, content=content, headers=headers)
        response = self._client.send(request, stream=True)
        try:
            declared = response.headers.get("content-length", "")
            if is_ascii_digits(declared) and int(declared) > self._max_body:
                raise _BodyTooLarge
            buffer = bytearray()
            for chunk in response.iter_bytes():
                buffer += chunk
                if len(buffer) > self._max_body:
                    raise _BodyTooLarge
        finally:
            response.close()
        return _Answer(response.status_code, response.headers, buffer)

    def _retry_pause(self, method: str, resource: str, attempt: int, reason: str, pause: float) -> None:
        """Log a failed attempt (the resource template only: no identity numbers in logs), then back off."""
        log.warning(
            "upstream %s %s attempt %d failed (%s); retrying in %.2fs",
            method,
            resource,
            attempt,
            reason,
            pause,
        )
        self._sleep(pause)

    def __repr__(self) -> str:
        return f"HttpUpstream({self.base_url!r})"


def _segment(value: str) -> str:
    """A path parameter as one URL segment, whatever the caller put in it."""
    return quote(value, safe="")


def _parts(parts: Sequence[str] | None) -> Params:
    return [("part", part) for part in parts or ()]


def _criteria(kriterier: Kriterier) -> Params:
    return [(name, value) for name, values in kriterier.items() for value in _values(values)]


def _values(values: Sequence[str] | str) -> Iterable[str]:
    return (values,) if isinstance(values, str) else values


def _feilkode(body: bytes | bytearray) -> str | None:
    parsed = _parse(body)
    code = parsed.get("feilkode") if isinstance(parsed, dict) else None
    return code if isinstance(code, str) else None


def _parse(body: bytes | bytearray) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def _json_answer(answer: _Answer, expect: type) -> Any:
    media = answer.headers.get("content-type", "").split(";")[0].strip().lower()
    parsed = _parse(answer.body) if media in (JSON, "") or media.endswith("+json") else None
    if not isinstance(parsed, expect):
        raise UpstreamUnavailableError(
            502,
            REGISTERET_FEILET,
            f"The population register's answer could not be read (not a JSON {expect.__name__})",
        )
    return parsed


def _register_error(answer: _Answer) -> UpstreamError:
    """The register's own refusal, passed on with its body; a body not in its format gets a plain one."""
    parsed = _parse(answer.body)
    if not (isinstance(parsed, dict) and isinstance(parsed.get("feilkode"), str)):
        parsed = {
            "feilkode": "FEIL",
            "feilmelding": f"The population register answered {answer.status}",
            "httpStatus": answer.status,
            "alvorlighetsgrad": "WARNING",
        }
    headers: Mapping[str, str] = (
        {"Retry-After": answer.headers["retry-after"]} if "retry-after" in answer.headers else {}
    )
    return UpstreamError(answer.status, parsed, headers)


def _certificate_refusal(error: Exception) -> str | None:
    """Why the register's certificate was refused, when that is what broke the connection."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return cause.verify_message or "certificate verify failed"
        cause = cause.__cause__ or cause.__context__
    return None


def _transport_failure(error: Exception) -> UpstreamUnavailableError:
    if isinstance(error, httpx.ConnectError):
        return UpstreamUnavailableError(
            503,
            REGISTERET_UTILGJENGELIG,
            "The population register cannot be reached; try again later",
            retry_after=5,
        )
    if isinstance(error, _BodyTooLarge):
        return UpstreamUnavailableError(
            502, REGISTERET_FEILET, "The population register's answer is too large"
        )
    return UpstreamUnavailableError(
        502,
        REGISTERET_FEILET,
        "The connection to the population register broke off before the answer was complete; try again",
    )


def _token_failure(error: MaskinportenError) -> UpstreamUnavailableError:
    if error.transient:
        return UpstreamUnavailableError(
            503,
            MASKINPORTEN_UTILGJENGELIG,
            "No access token to the population register could be fetched (Maskinporten); try again later",
            retry_after=5,
        )
    return UpstreamUnavailableError(
        502,
        MASKINPORTEN_AVVISTE,
        "Maskinporten refused the platform's request for an access token to the population register",
        details={"maskinportenError": error.error} if error.error else None,
    )
