"""The consumer side's TLS context: the provider's CA and our client certificate (mutual TLS)."""

import os
import ssl

from gpc_assure.config.provider_config import TlsSettings


class TlsSetupError(Exception):
    """The configured CA, certificate or key cannot be used; the message is one line."""


def client_ssl_context(tls: TlsSettings) -> ssl.SSLContext:
    """One context carrying trust anchors and the client chain.

    httpx ignores `cert=` when `verify=` is a path, so everything goes into this one context.
    """
    try:
        context = ssl.create_default_context(cafile=str(tls.ca) if tls.ca else None)
    except (ssl.SSLError, OSError) as exc:
        raise TlsSetupError(f"tls.ca {tls.ca}: not a usable PEM CA bundle ({exc})") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if tls.client_cert is not None and tls.client_key is not None:
        password = os.environ.get(tls.key_password_env) or ""
        try:
            # A callable, even for "no password": OpenSSL must never prompt on the terminal.
            context.load_cert_chain(
                str(tls.client_cert), str(tls.client_key), password=lambda: password
            )
        except ssl.SSLError as exc:
            hint = (
                "wrong key password?" if password else f"encrypted key? set {tls.key_password_env}"
            )
            raise TlsSetupError(
                f"tls.client_cert/tls.client_key: cannot load the client certificate and key "
                f"({exc.reason or exc}; {hint})"
            ) from None
        except OSError as exc:
            raise TlsSetupError(
                f"tls.client_cert/tls.client_key: cannot load the client certificate and key "
                f"({exc.strerror or exc}; encrypted key? set {tls.key_password_env})"
            ) from None
    return context
