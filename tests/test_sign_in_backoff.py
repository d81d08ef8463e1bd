"""Failed sign-ins slow guessing down without letting a stranger lock anyone out
(esgledger.access.login): per name and address a doubling wait, capped; per account, waits only
for addresses new to it; per address a window across names."""

from __future__ import annotations

import datetime as dt

import pytest

from esgledger.access.throttle import BackOff, backoff_delay, client_key
from esgledger.service_errors import TooManyAttempts, Unauthenticated
from tests.collab_fixtures import PASSWORD, World

WRONG = "not the password!"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(world: World) -> Clock:
    ticking = Clock()
    world.services.context.clock = ticking
    return ticking


def test_a_stranger_cannot_lock_out_an_admin(world: World, clock: Clock) -> None:
    services = world.services
    for _ in range(50):  # one address, as fast as it can
        with pytest.raises((Unauthenticated, TooManyAttempts)):
            services.accounts.issue_token("admin", WRONG, "203.0.113.66")
    assert services.accounts.issue_token("admin", PASSWORD, "198.51.100.7").secret  # a new address
    assert services.accounts.issue_token(
        "admin", PASSWORD, "setup"
    ).secret  # where the admin signed in


def test_a_distributed_stranger_slows_new_addresses_only_and_never_past_the_ceiling(
    world: World, clock: Clock
) -> None:
    services = world.services
    for n in range(services.context.options.lockout.account_free_failures):
        with pytest.raises(Unauthenticated):
            services.accounts.issue_token("admin", WRONG, f"203.0.113.{n}")
    waits = []
    for k in range(8):
        with pytest.raises(TooManyAttempts) as slowed:  # a new address, even with the password
            services.accounts.issue_token("admin", PASSWORD, f"198.51.100.{k}")
        waits.append(slowed.value.retry_after)
        clock.advance(slowed.value.retry_after)
        with pytest.raises(Unauthenticated):  # the stranger's next guess, once the wait is over
            services.accounts.issue_token("admin", WRONG, f"203.0.113.{100 + k}")
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]
    assert services.accounts.issue_token(
        "admin", PASSWORD, "setup"
    ).secret  # the admin's own address


def test_the_wait_per_name_and_address_doubles_up_to_the_ceiling(
    world: World, clock: Clock
) -> None:
    services = world.services
    waits = []
    for _ in range(services.context.options.lockout.free_failures + 2 * 6):
        try:
            services.accounts.issue_token("viewer", WRONG, "192.0.2.44")
        except Unauthenticated:
            continue
        except TooManyAttempts as slowed:
            waits.append(slowed.retry_after)
            clock.advance(slowed.retry_after)
    assert waits == [30, 60, 120, 240, 480, 900]
    assert services.accounts.issue_token(
        "viewer", PASSWORD, "setup"
    ).secret  # where the viewer signed in


def test_the_right_password_ends_the_waits_of_its_address(world: World, clock: Clock) -> None:
    services = world.services
    for _ in range(services.context.options.lockout.free_failures):
        with pytest.raises(Unauthenticated):
            services.accounts.issue_token("viewer", WRONG, "192.0.2.50")
    with pytest.raises(TooManyAttempts):
        services.accounts.issue_token("viewer", PASSWORD, "192.0.2.50")
    clock.advance(30)
    assert services.accounts.issue_token("viewer", PASSWORD, "192.0.2.50").secret
    with pytest.raises(Unauthenticated):  # counted afresh: a wrong password is a plain refusal
        services.accounts.issue_token("viewer", WRONG, "192.0.2.50")


def test_a_password_reset_ends_the_accounts_waits(world: World, clock: Clock) -> None:
    services = world.services
    for n in range(services.context.options.lockout.account_free_failures):
        with pytest.raises(Unauthenticated):
            services.accounts.issue_token("auditor", WRONG, f"203.0.113.{n}")
    with pytest.raises(TooManyAttempts):
        services.accounts.issue_token("auditor", PASSWORD, "198.51.100.20")
    services.accounts.update(world.user("admin"), "auditor", password="a brand new password")
    assert services.accounts.issue_token("auditor", "a brand new password", "198.51.100.20").secret


def test_an_ipv6_client_is_keyed_by_its_network() -> None:
    assert (
        client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9") == ("2001:db8:1:2::/64")
    )
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:192.0.2.1") == client_key("192.0.2.1") == "192.0.2.1"
    assert client_key("testclient") == "testclient"


def test_backoff_delays() -> None:
    assert [backoff_delay(n, 5, 30, 900) for n in range(4, 12)] == [
        None,
        30,
        60,
        120,
        240,
        480,
        900,
        900,
    ]
    assert backoff_delay(10_000, 5, 30, 900) == 900
    backoff = BackOff(free=2, first_seconds=10, longest_seconds=100)
    backoff.failed("k", 0.0)
    assert backoff.wait("k", 0.0) == 0
    backoff.failed("k", 1.0)
    assert backoff.wait("k", 1.0) == 10 and backoff.wait("k", 11.0) == 0
    backoff.clear("k")
    backoff.failed("k", 20.0)
    assert backoff.wait("k", 20.0) == 0
