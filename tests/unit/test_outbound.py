"""The outbound HTTP guard (orderhub/outbound.py): which addresses are refused after resolution, in
every spelling, and that the connection goes to the address that was checked (no DNS rebinding)."""

from __future__ import annotations

import ipaddress

import httpcore
import httpx
import pytest

from orderhub import outbound

REFUSED = ["127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
           "100.64.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "198.18.0.1",
           "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
           "::ffff:169.254.169.254", "2002:7f00:1::", "64:ff9b::7f00:1", "64:ff9b::a00:1", "::7f00:1"]
PUBLIC = ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "64:ff9b::808:808", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", REFUSED)
def test_internal_addresses_are_refused(address):
    assert outbound.forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address):
    assert not outbound.forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST.", "2130706433", "0x7f000001", "0177.0.0.1",
                                  "127.1", "0", "[::1]", "::ffff:127.0.0.1", "0x0a.0.0.1"])
async def test_every_spelling_of_an_internal_host_is_refused_after_resolution(host):
    with pytest.raises(outbound.RefusedAddress):
        await outbound.checked_addresses(host, 80, allow=(), resolver=outbound.system_resolver)


async def test_a_named_internal_host_is_allowed_by_the_setting():
    assert await outbound.checked_addresses("LocalHost", 80, allow=("localhost",),
                                            resolver=outbound.system_resolver)


class Recording(httpcore.AsyncMockBackend):
    def __init__(self) -> None:
        super().__init__([b"HTTP/1.1 204 No Content\r\n", b"Content-Length: 0\r\n", b"\r\n"])
        self.connected: list[tuple[str, int]] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.connected.append((host, port))
        return await super().connect_tcp(host, port, timeout, local_address, socket_options)


async def test_the_connection_goes_to_the_checked_address_with_the_names_host_header():
    """A rebinding DNS answers a public address first and loopback after: we resolve once per
    connection and connect to the address we checked (a mock network, so nothing leaves the machine)."""
    answers = [["93.184.216.34"], ["127.0.0.1"]]
    asked: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers.pop(0)

    network = Recording()
    async with outbound.client(resolver=rebinding, inner=network) as client:
        response = await client.post("http://hooks.rebind.example:8080/in", content=b"{}")
    assert response.status_code == 204
    assert asked == ["hooks.rebind.example"] and network.connected == [("93.184.216.34", 8080)]
    assert response.request.headers["host"] == "hooks.rebind.example:8080"

    network = Recording()
    async with outbound.client(resolver=rebinding, inner=network) as client:  # the second answer: loopback
        with pytest.raises(httpx.ConnectError):
            await client.post("http://hooks.rebind.example:8080/in", content=b"{}")
    assert network.connected == []  # refused before any connection


async def test_any_internal_answer_among_several_refuses_the_host():
    async def mixed(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.7"]

    network = Recording()
    async with outbound.client(resolver=mixed, inner=network) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("https://hooks.mixed.example/")
    assert network.connected == []


async def test_no_redirects_no_proxy_from_the_environment(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    client = outbound.client()
    assert client.follow_redirects is False and client.trust_env is False
    await client.aclose()


async def test_saving_a_url_refuses_internal_hosts_but_not_unresolvable_names():
    assert await outbound.reaches_internal("http://2130706433:8000/x")
    assert await outbound.reaches_internal("https://localhost/x")
    assert not await outbound.reaches_internal("https://localhost/x", allow=["localhost"])
    assert not await outbound.reaches_internal("https://hooks.nowhere.invalid/x")  # checked again on delivery
