"""Can the provider be reached at all? One TCP connection and TLS handshake, before any scenario."""

import socket
import ssl
from urllib.parse import urlsplit

from gpc_assure.config import ProviderConfig


def first_hop(config: ProviderConfig) -> str:
    """The URL the suite connects to: the Spine Secure Proxy when one is configured."""
    assert config.base_url is not None
    return config.proxy_url or config.base_url


def unreachable_reason(config: ProviderConfig, context: ssl.SSLContext | None) -> str | None:
    """None when a connection (and TLS handshake, for https) succeeds; else why not, in words.

    A server certificate that fails verification still counts as reachable: the transport
    scenarios then report it against its requirement, and every exchange says why it failed.
    """
    url = urlsplit(first_hop(config))
    host = url.hostname or ""
    port = url.port or (443 if url.scheme == "https" else 80)
    where = f"{host}:{port}"
    timeout = config.connect_timeout
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            if url.scheme == "https" and context is not None:
                with context.wrap_socket(sock, server_hostname=host):
                    pass
    except socket.gaierror as exc:
        return f"host name {host!r} not found ({exc.strerror})"
    except ConnectionRefusedError:
        return f"connection refused by {where}"
    except TimeoutError:
        return f"no answer from {where} within {timeout:g} s (connect time-out)"
    except ssl.SSLCertVerificationError:
        return None  # reachable: the transport scenarios report the untrusted certificate
    except ssl.SSLError as exc:
        return f"TLS handshake with {where} failed ({exc.reason or exc})"
    except OSError as exc:
        return f"cannot connect to {where} ({exc.strerror or exc})"
    return None
