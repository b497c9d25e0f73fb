"""The client keeps no cookies: a provider's Set-Cookie is never stored nor sent back."""

import httpx

from gpc_assure.transport.client import no_cookie_jar


def test_set_cookie_is_not_stored_nor_replayed() -> None:
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Cookie"))
        return httpx.Response(404, headers={"Set-Cookie": "session=planted; Path=/"})

    with httpx.Client(transport=httpx.MockTransport(answer), cookies=no_cookie_jar()) as client:
        for _ in range(3):
            client.get("https://provider.invalid/base/Binary/1")
        assert len(client.cookies.jar) == 0
    assert seen == [None, None, None]
