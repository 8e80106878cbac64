"""``Call``: the Relay.Calling.Call API (every method of the reference).

Each ``x_async`` method starts a component and returns its Action at once;
each waiting ``x`` method is ``await (await x_async(...)).wait()``. Commands
the server refuses give an unsuccessful Result, never an exception; bad
arguments raise InvalidArgument/InvalidArgumentType before anything is sent.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from . import commands
from .actions import (
    Action,
    ConnectAction,
    DetectAction,
    FaxAction,
    PlayAction,
    PromptAction,
    RecordAction,
    SendDigitsAction,
    TapAction,
)
from .errors import InvalidArgument, InvalidArgumentType
from .events import CALL_EVENTS, CALL_STATES, names_for
from .protocol import CommandResult, new_id
from .results import (
    AnswerResult,
    ConnectResult,
    DetectResult,
    DialResult,
    DisconnectResult,
    Event,
    FaxResult,
    HangupResult,
    PlayResult,
    PromptResult,
    RecordResult,
    SendDigitsResult,
    TapResult,
)

if TYPE_CHECKING:
    from .calling import Calling

__all__ = ["Call"]

log = logging.getLogger("relay_anyio.call")

A = TypeVar("A", bound=Action)
Callback = Callable[..., Any]

_RANK = {state: i for i, state in enumerate(CALL_STATES)}
HANGUP_REASONS = ("hangup", "cancel", "busy", "decline")


def _takes_argument(callback: Callback) -> bool:
    """Whether ``callback`` accepts one positional argument (the Event)."""
    try:
        sig = inspect.signature(callback)
    except (TypeError, ValueError):
        return True
    for param in sig.parameters.values():
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD, param.VAR_POSITIONAL):
            return True
    return False


class Call:
    """A call between SignalWire and a device (``phone``).

    Properties: ``id``, ``call_type``, ``from_number``, ``to_number``,
    ``timeout``, ``state``, ``prev_state``, ``context``, ``active``,
    ``ended``, ``answered``, ``failed``, ``busy`` (plus ``node_id``, ``tag``,
    ``direction``, ``end_reason``, ``peer``).
    """

    def __init__(
        self,
        calling: Calling,
        *,
        from_number: str | None = None,
        to_number: str | None = None,
        timeout: int | None = None,
        call_type: str = "phone",
        call_id: str | None = None,
        node_id: str | None = None,
        context: str | None = None,
        direction: str = "outbound",
        state: str | None = None,
        tag: str | None = None,
    ) -> None:
        self._calling = calling
        self.id = call_id
        self.node_id = node_id
        self.tag = tag or new_id()
        self.call_type = call_type
        self.from_number = from_number
        self.to_number = to_number
        self.timeout = timeout
        self.context = context
        self.direction = direction
        self.state: str | None = state
        self.prev_state: str | None = None
        self.end_reason: str | None = None
        self._seen: set[str] = {state} if state else set()
        self._state_events: dict[str, Event] = {}
        self._waiters: list[tuple[frozenset[str], anyio.Event]] = []
        self._actions: dict[str, Action] = {}
        self._connect: ConnectAction | None = None
        self._peer: Call | None = None
        self._listeners: dict[str, list[tuple[Callback, bool]]] = {}
        self._dialed = call_id is not None

    def __repr__(self) -> str:
        return (
            f"<Call id={self.id} {self.direction} from={self.from_number} to={self.to_number} "
            f"state={self.state}>"
        )

    # -- properties -----------------------------------------------------------

    @property
    def answered(self) -> bool:
        """Whether the call has been answered."""
        return "answered" in self._seen

    @property
    def active(self) -> bool:
        """Whether the call is up (answered and not ending or ended)."""
        return self.state == "answered"

    @property
    def ended(self) -> bool:
        """Whether the call has ended."""
        return self.state == "ended"

    @property
    def busy(self) -> bool:
        """Whether the call ended because the other side was busy."""
        return self.end_reason == "busy"

    @property
    def failed(self) -> bool:
        """Whether the call failed: it ended without being answered, or with an error."""
        return self.end_reason == "error" or (self.state in ("ending", "ended") and not self.answered)

    @property
    def peer(self) -> Call | None:
        """The call connected with this one by ``connect``, if any."""
        return self._peer

    # -- events -----------------------------------------------------------------

    def on(self, event: str, callback: Callback) -> Call:
        """Attach ``callback`` to ``event`` (a name from the reference's event list).

        The callback may be sync or async; it gets the Event (``name``,
        ``payload``) if it takes an argument. Returns the call.
        """
        if event not in CALL_EVENTS:
            raise InvalidArgument("event", event, sorted(CALL_EVENTS))
        if not callable(callback):
            raise InvalidArgumentType("callback", callback, "a callable")
        self._listeners.setdefault(event, []).append((callback, _takes_argument(callback)))
        return self

    def off(self, event: str, callback: Callback | None = None) -> Call:
        """Remove ``callback`` from ``event`` (all of the event's callbacks when None)."""
        if event not in CALL_EVENTS:
            raise InvalidArgument("event", event, sorted(CALL_EVENTS))
        if callback is None:
            self._listeners.pop(event, None)
        else:
            kept = [(cb, arg) for cb, arg in self._listeners.get(event, []) if cb != callback]
            self._listeners[event] = kept
        return self

    def _emit(self, name: str, event: Event) -> None:
        for callback, wants_arg in tuple(self._listeners.get(name, ())):
            try:
                outcome = callback(event) if wants_arg else callback()
            except Exception:
                log.exception("call %s: %r callback raised", self.id, name)
                continue
            if inspect.isawaitable(outcome):
                self._calling._spawn(self._await_callback, name, outcome)

    async def _await_callback(self, name: str, outcome: Awaitable[Any]) -> None:
        try:
            await outcome
        except Exception:
            log.exception("call %s: %r callback raised", self.id, name)

    def _dispatch(self, event_type: str, params: dict[str, Any]) -> None:
        """An event for this call (state, connect or a component's)."""
        event = Event(event_type, params)
        if event_type == "calling.call.state":
            self._on_state(event)
        elif event_type == "calling.call.connect":
            self._on_connect(event)
        else:
            control_id = params.get("control_id")
            action = self._actions.get(control_id) if isinstance(control_id, str) else None
            if action is not None:
                action._on_event(event)
            else:
                log.debug("call %s: %s for no running component (%r) dropped", self.id, event_type, control_id)
        if self._listeners:
            for name in names_for(event_type, params):
                self._emit(name, event)

    def _on_state(self, event: Event) -> None:
        p = event.payload
        state = p.get("call_state")
        if not isinstance(state, str) or state not in _RANK:
            log.warning("call %s: unknown call_state %r dropped", self.id, state)
            return
        if self.state == "ended":
            return
        self._update_identity(p)
        if isinstance(p.get("end_reason"), str):
            self.end_reason = p["end_reason"]
        self.prev_state, self.state = self.state, state
        self._seen.add(state)
        self._state_events[state] = event
        if state == "ended":
            self._end_actions("call ended")
            self._calling._call_ended(self)
        for states, waiter in self._waiters:
            if state in states or state == "ended":
                waiter.set()

    def _update_identity(self, p: dict[str, Any]) -> None:
        if self.id is None and isinstance(p.get("call_id"), str):
            self.id = p["call_id"]
            self._calling._bind(self)
        if isinstance(p.get("node_id"), str):
            self.node_id = p["node_id"]
        device = p.get("device")
        if isinstance(device, dict) and isinstance(device.get("params"), dict):
            dp = device["params"]
            self.from_number = self.from_number or dp.get("from_number")
            self.to_number = self.to_number or dp.get("to_number")
        if isinstance(p.get("direction"), str):
            self.direction = p["direction"]

    def _on_connect(self, event: Event) -> None:
        p = event.payload
        peer = p.get("peer")
        if isinstance(peer, dict) and p.get("connect_state") == "connected":
            if isinstance(peer.get("call_id"), str):
                self._peer = self._calling._peer_call(peer, self)
            else:
                log.warning("call %s: connected peer without a call_id: peer unknown", self.id)
        if self._connect is not None:
            self._connect._on_event(event)

    def _end_actions(self, reason: str) -> None:
        for action in tuple(self._actions.values()):
            action._end(reason)
        if self._connect is not None and not self._connect.completed:
            self._connect._end(reason)

    def _session_lost(self) -> None:
        """A fresh session replaced ours: the service forgot this call."""
        self.end_reason = self.end_reason or "error"
        self._end_actions("session lost")
        self.prev_state, self.state = self.state, "ended"
        self._seen.add("ended")
        for _, waiter in self._waiters:
            waiter.set()

    def _forget(self, action: Action) -> None:
        self._actions.pop(action.control_id, None)

    # -- plumbing ---------------------------------------------------------------

    async def _execute(self, method: str, params: dict[str, Any]) -> CommandResult:
        if self.id is None:
            return CommandResult("404", "call has no id yet: dial() it first")
        if self.ended:
            return CommandResult("410", "call has ended")
        full = {"call_id": self.id, "node_id": self.node_id, **params}
        return await self._calling._session.execute(method, full, call_id=self.id)

    async def _start(self, action: A) -> A:
        if action.call is not self:
            raise RuntimeError("action belongs to another call")
        if self.id is None or self.ended:
            action._finish(False, error="call has ended" if self.ended else "call not dialed")
            return action
        self._actions[action.control_id] = action
        try:
            response = await self._execute(action.method, action._wire_params())
        except BaseException:
            self._actions.pop(action.control_id, None)
            raise
        action._on_response(response)
        return action

    # -- life cycle ---------------------------------------------------------------

    async def answer(self) -> AnswerResult:
        """Answer an inbound call. Returns an AnswerResult once answered."""
        if self.answered:
            return AnswerResult(successful=True, event=self._state_events.get("answered"))
        response = await self._execute("calling.answer", {})
        if not response.successful:
            return AnswerResult(successful=False, error=f"{response.code}: {response.message}")
        ok = await self.wait_for("answered")
        return AnswerResult(
            successful=ok,
            event=self._state_events.get("answered") or self._state_events.get("ended"),
            error=None if ok else "call ended",
        )

    async def dial(self) -> DialResult:
        """Start a call made with ``new_call`` and wait until it is answered or hung up.

        Unsuccessful when the call ends first; then ``call.busy`` /
        ``call.failed`` say why.
        """
        if self._dialed:
            raise InvalidArgument("call", self, "a call made with new_call() that was not dialed yet")
        self._dialed = True
        device: dict[str, Any] = {
            "type": self.call_type,
            "params": {"from_number": self.from_number, "to_number": self.to_number},
        }
        if self.timeout is not None:
            device["params"]["timeout"] = self.timeout
        self._calling._track_tag(self)
        try:
            response = await self._calling._session.execute(
                "calling.begin", {"tag": self.tag, "device": device}
            )
        except BaseException:
            self._calling._untrack_tag(self)
            raise
        if not response.successful:
            self._calling._untrack_tag(self)
            return DialResult(successful=False, call=self, error=f"{response.code}: {response.message}")
        self._update_identity(response.data)
        ok = await self.wait_for("answered", "ending", "ended") and self.answered
        return DialResult(
            successful=ok,
            call=self,
            event=self._state_events.get("answered") or self._state_events.get(self.state or ""),
            error=None if ok else f"call {self.end_reason or self.state}",
        )

    async def hangup(self, reason: str = "hangup") -> HangupResult:
        """Hang up the call; the HangupResult's ``reason`` is the call's end_reason.

        ``reason`` (wire ``calling.end``) is ``hangup`` (default), ``cancel``,
        ``busy`` or ``decline``.
        """
        commands.choice("reason", reason, HANGUP_REASONS)
        if self.ended:
            return HangupResult(successful=False, reason=self.end_reason, error="call has already ended")
        response = await self._execute("calling.end", {"reason": reason})
        if not response.successful:
            return HangupResult(successful=False, reason=self.end_reason, error=f"{response.code}: {response.message}")
        await self.wait_for("ended")
        return HangupResult(successful=True, reason=self.end_reason, event=self._state_events.get("ended"))

    async def wait_for(self, *events: str) -> bool:
        """Wait for one of the call states in ``events``.

        True at once for a state the call already passed; False when the
        call ends without reaching any of them.
        """
        if not events:
            raise InvalidArgument("events", events, CALL_STATES)
        for name in events:
            if name not in _RANK:
                raise InvalidArgument("events", name, CALL_STATES)
        wanted = frozenset(events)
        while True:
            if any(self._passed(state) for state in wanted):
                return True
            if self.ended:
                return False
            waiter = anyio.Event()
            entry = (wanted, waiter)
            self._waiters.append(entry)
            try:
                await waiter.wait()
            finally:
                self._waiters.remove(entry)

    def _passed(self, state: str) -> bool:
        if state in self._seen:
            return True
        # created/ringing/ending are implied by any later state; answered is not.
        return state != "answered" and self.state is not None and _RANK[self.state] >= _RANK[state] and (
            state != "ending" or self.state == "ended"
        )

    async def wait_for_ringing(self) -> bool:
        """Wait for the ``ringing`` state (False if the call ends first)."""
        return await self.wait_for("ringing")

    async def wait_for_answered(self) -> bool:
        """Wait for the ``answered`` state (False if the call ends first)."""
        return await self.wait_for("answered")

    async def wait_for_ending(self) -> bool:
        """Wait for the ``ending`` state."""
        return await self.wait_for("ending")

    async def wait_for_ended(self) -> bool:
        """Wait for the ``ended`` state."""
        return await self.wait_for("ended")

    # -- connect ----------------------------------------------------------------------

    async def connect_async(self, device_list: Sequence[Any], ringback: Sequence[Any] | None = None) -> ConnectAction:
        """Start connecting this call to other devices; returns a ConnectAction at once.

        ``device_list``: dicts ``{to_number, from_number?, timeout?, call_type?}``
        (``from_number`` defaults to this call's); the outer list is tried in
        series, a nested list is dialed in parallel. ``ringback``: media to
        play to this call meanwhile.
        """
        params: dict[str, Any] = {
            "devices": commands.devices(device_list, default_from=self.from_number, default_type=self.call_type)
        }
        if ringback is not None:
            params["ringback"] = commands.media_list(ringback, "ringback")
        action = ConnectAction(self, params)
        if self._connect is not None and not self._connect.completed:
            action._finish(False, error="a connect is already running on this call")
            return action
        self._connect = action
        if self.id is None or self.ended:
            action._finish(False, error="call has ended" if self.ended else "call not dialed")
            return action
        try:
            response = await self._execute(action.method, action._wire_params())
        except BaseException:
            self._connect = None
            raise
        action._on_response(response)
        return action

    async def connect(self, device_list: Sequence[Any], ringback: Sequence[Any] | None = None) -> ConnectResult:
        """Connect this call to other devices and wait until one answers or all fail.

        ``result.call`` is the remote (peer) Call when successful. See
        ``connect_async`` for the parameters.
        """
        action = await self.connect_async(device_list, ringback=ringback)
        result: ConnectResult = await action.wait()
        return result

    async def disconnect(self) -> DisconnectResult:
        """Disconnect the peer joined by ``connect`` (``calling.disconnect``)."""
        response = await self._execute("calling.disconnect", {})
        return DisconnectResult(
            successful=response.successful,
            error=None if response.successful else f"{response.code}: {response.message}",
        )

    # -- play ------------------------------------------------------------------------

    async def play_async(self, media_list: Sequence[Any], volume: float = 0) -> PlayAction:
        """Play a list of media; returns a PlayAction at once.

        Media items: ``{"type": "audio", "url"}``, ``{"type": "tts", "text",
        "language"?, "gender"?}``, ``{"type": "silence", "duration"}``,
        ``{"type": "ringtone", "name", "duration"?}``. ``volume``: -40..+40 dB,
        0 (default) leaves it unchanged.
        """
        params: dict[str, Any] = {"play": commands.media_list(media_list)}
        db = commands.volume(volume)
        if db != 0:
            params["volume"] = db
        return await self._start(PlayAction(self, params))

    async def play(self, media_list: Sequence[Any], volume: float = 0) -> PlayResult:
        """Play a list of media and wait until playing ends. See ``play_async``."""
        result: PlayResult = await (await self.play_async(media_list, volume=volume)).wait()
        return result

    async def play_audio_async(self, url: str, volume: float = 0) -> PlayAction:
        """Play an audio file (http(s) URL); returns a PlayAction at once."""
        return await self.play_async([{"type": "audio", "url": url}], volume=volume)

    async def play_audio(self, url: str, volume: float = 0) -> PlayResult:
        """Play an audio file (http(s) URL) and wait until it ends."""
        result: PlayResult = await (await self.play_audio_async(url, volume=volume)).wait()
        return result

    async def play_silence_async(self, duration: float) -> PlayAction:
        """Play ``duration`` seconds of silence; returns a PlayAction at once."""
        return await self.play_async([{"type": "silence", "duration": duration}])

    async def play_silence(self, duration: float) -> PlayResult:
        """Play ``duration`` seconds of silence and wait until it ends."""
        result: PlayResult = await (await self.play_silence_async(duration)).wait()
        return result

    async def play_ringtone_async(self, name: str, duration: float | None = None, volume: float = 0) -> PlayAction:
        """Play a ringtone (``name``: a country code, e.g. ``us``; ``duration``
        defaults to one ringtone iteration); returns a PlayAction at once."""
        return await self.play_async([_ringtone(name, duration)], volume=volume)

    async def play_ringtone(self, name: str, duration: float | None = None, volume: float = 0) -> PlayResult:
        """Play a ringtone and wait until it ends. See ``play_ringtone_async``."""
        result: PlayResult = await (await self.play_ringtone_async(name, duration=duration, volume=volume)).wait()
        return result

    async def play_tts_async(
        self, text: str, language: str | None = None, gender: str | None = None, volume: float = 0
    ) -> PlayAction:
        """Speak ``text`` (``language`` default en-US, ``gender`` male/female,
        default female); returns a PlayAction at once."""
        return await self.play_async([_tts(text, language, gender)], volume=volume)

    async def play_tts(
        self, text: str, language: str | None = None, gender: str | None = None, volume: float = 0
    ) -> PlayResult:
        """Speak ``text`` and wait until done. See ``play_tts_async``."""
        action = await self.play_tts_async(text, language=language, gender=gender, volume=volume)
        result: PlayResult = await action.wait()
        return result

    # -- prompt -----------------------------------------------------------------------

    async def prompt_async(
        self,
        prompt_type: str,
        media_list: Sequence[Any],
        initial_timeout: float | None = None,
        volume: float = 0,
        digits_max: int | None = None,
        digits_terminators: str | None = None,
        digits_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        speech_timeout: float | None = None,
        speech_language: str | None = None,
        speech_hints: Sequence[str] | None = None,
    ) -> PromptAction:
        """Play media while collecting digits and/or speech; returns a PromptAction at once.

        ``prompt_type``: ``digits``, ``speech`` or ``both``. ``initial_timeout``
        (service default 4 s). Digits: ``digits_max`` (required),
        ``digits_terminators``, ``digits_timeout``. Speech:
        ``end_silence_timeout`` (default 1 s), ``speech_timeout`` (default
        60 s), ``speech_language`` (default en-US), ``speech_hints``.
        """
        params: dict[str, Any] = {
            "play": commands.media_list(media_list),
            "collect": commands.collect(
                prompt_type,
                initial_timeout=initial_timeout,
                digits_max=digits_max,
                digits_terminators=digits_terminators,
                digits_timeout=digits_timeout,
                end_silence_timeout=end_silence_timeout,
                speech_timeout=speech_timeout,
                speech_language=speech_language,
                speech_hints=speech_hints,
            ),
        }
        db = commands.volume(volume)
        if db != 0:
            params["volume"] = db
        return await self._start(PromptAction(self, params))

    async def prompt(
        self,
        prompt_type: str,
        media_list: Sequence[Any],
        initial_timeout: float | None = None,
        volume: float = 0,
        digits_max: int | None = None,
        digits_terminators: str | None = None,
        digits_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        speech_timeout: float | None = None,
        speech_language: str | None = None,
        speech_hints: Sequence[str] | None = None,
    ) -> PromptResult:
        """Play media while collecting input and wait for it. See ``prompt_async``.

        ``result.result`` is the digits or text, with ``terminator`` or ``confidence``.
        """
        action = await self.prompt_async(
            prompt_type, media_list, initial_timeout, volume, digits_max, digits_terminators,
            digits_timeout, end_silence_timeout, speech_timeout, speech_language, speech_hints,
        )
        result: PromptResult = await action.wait()
        return result

    async def prompt_audio_async(
        self,
        prompt_type: str,
        url: str,
        *,
        initial_timeout: float | None = None,
        volume: float = 0,
        digits_max: int | None = None,
        digits_terminators: str | None = None,
        digits_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        speech_timeout: float | None = None,
        speech_language: str | None = None,
        speech_hints: Sequence[str] | None = None,
    ) -> PromptAction:
        """``prompt_async`` playing an audio file (``url``); the other parameters are prompt's."""
        return await self.prompt_async(
            prompt_type, [{"type": "audio", "url": url}], initial_timeout, volume, digits_max, digits_terminators,
            digits_timeout, end_silence_timeout, speech_timeout, speech_language, speech_hints,
        )

    async def prompt_audio(
        self,
        prompt_type: str,
        url: str,
        *,
        initial_timeout: float | None = None,
        volume: float = 0,
        digits_max: int | None = None,
        digits_terminators: str | None = None,
        digits_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        speech_timeout: float | None = None,
        speech_language: str | None = None,
        speech_hints: Sequence[str] | None = None,
    ) -> PromptResult:
        """``prompt`` playing an audio file (``url``); the other parameters are prompt's."""
        action = await self.prompt_audio_async(
            prompt_type, url,
            initial_timeout=initial_timeout, volume=volume, digits_max=digits_max,
            digits_terminators=digits_terminators, digits_timeout=digits_timeout,
            end_silence_timeout=end_silence_timeout, speech_timeout=speech_timeout,
            speech_language=speech_language, speech_hints=speech_hints,
        )
        result: PromptResult = await action.wait()
        return result

    async def prompt_tts_async(
        self,
        prompt_type: str,
        text: str,
        language: str | None = None,
        gender: str | None = None,
        *,
        initial_timeout: float | None = None,
        volume: float = 0,
        digits_max: int | None = None,
        digits_terminators: str | None = None,
        digits_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        speech_timeout: float | None = None,
        speech_language: str | None = None,
        speech_hints: Sequence[str] | None = None,
    ) -> PromptAction:
        """``prompt_async`` speaking ``text`` (``language`` default en-US, ``gender`` male/female);
        the other parameters are prompt's."""
        return await self.prompt_async(
            prompt_type, [_tts(text, language, gender)], initial_timeout, volume, digits_max, digits_terminators,
            digits_timeout, end_silence_timeout, speech_timeout, speech_language, speech_hints,
        )

    async def prompt_tts(
        self,
        prompt_type: str,
        text: str,
        language: str | None = None,
        gender: str | None = None,
        *,
        initial_timeout: float | None = None,
        volume: float = 0,
        digits_max: int | None = None,
        digits_terminators: str | None = None,
        digits_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        speech_timeout: float | None = None,
        speech_language: str | None = None,
        speech_hints: Sequence[str] | None = None,
    ) -> PromptResult:
        """``prompt`` speaking ``text`` (``language``, ``gender``); the other parameters are prompt's."""
        action = await self.prompt_tts_async(
            prompt_type, text, language, gender,
            initial_timeout=initial_timeout, volume=volume, digits_max=digits_max,
            digits_terminators=digits_terminators, digits_timeout=digits_timeout,
            end_silence_timeout=end_silence_timeout, speech_timeout=speech_timeout,
            speech_language=speech_language, speech_hints=speech_hints,
        )
        result: PromptResult = await action.wait()
        return result

    async def prompt_ringtone_async(
        self,
        prompt_type: str,
        name: str,
        duration: float | None = None,
        *,
        initial_timeout: float | None = None,
        volume: float = 0,
        digits_max: int | None = None,
        digits_terminators: str | None = None,
        digits_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        speech_timeout: float | None = None,
        speech_language: str | None = None,
        speech_hints: Sequence[str] | None = None,
    ) -> PromptAction:
        """``prompt_async`` playing a ringtone (``name``: a country code; ``duration``: default one
        iteration); the other parameters are prompt's."""
        return await self.prompt_async(
            prompt_type, [_ringtone(name, duration)], initial_timeout, volume, digits_max, digits_terminators,
            digits_timeout, end_silence_timeout, speech_timeout, speech_language, speech_hints,
        )

    async def prompt_ringtone(
        self,
        prompt_type: str,
        name: str,
        duration: float | None = None,
        *,
        initial_timeout: float | None = None,
        volume: float = 0,
        digits_max: int | None = None,
        digits_terminators: str | None = None,
        digits_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        speech_timeout: float | None = None,
        speech_language: str | None = None,
        speech_hints: Sequence[str] | None = None,
    ) -> PromptResult:
        """``prompt`` playing a ringtone (``name``, ``duration``); the other parameters are prompt's."""
        action = await self.prompt_ringtone_async(
            prompt_type, name, duration,
            initial_timeout=initial_timeout, volume=volume, digits_max=digits_max,
            digits_terminators=digits_terminators, digits_timeout=digits_timeout,
            end_silence_timeout=end_silence_timeout, speech_timeout=speech_timeout,
            speech_language=speech_language, speech_hints=speech_hints,
        )
        result: PromptResult = await action.wait()
        return result

    # -- record -------------------------------------------------------------------------

    async def record_async(
        self,
        beep: bool | None = None,
        stereo: bool | None = None,
        record_format: str | None = None,
        direction: str | None = None,
        initial_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        terminators: str | None = None,
    ) -> RecordAction:
        """Start recording; returns a RecordAction at once (its ``url`` is known).

        Service defaults: ``beep`` False, ``stereo`` False, ``record_format``
        mp3 (or wav), ``direction`` speak (listen/speak/both),
        ``initial_timeout`` 5 s, ``end_silence_timeout`` 1 s (0 disables),
        ``terminators`` ``#*``.
        """
        params = {
            "record": commands.record(
                beep=beep,
                stereo=stereo,
                record_format=record_format,
                direction=direction,
                initial_timeout=initial_timeout,
                end_silence_timeout=end_silence_timeout,
                terminators=terminators,
            )
        }
        return await self._start(RecordAction(self, params))

    async def record(
        self,
        beep: bool | None = None,
        stereo: bool | None = None,
        record_format: str | None = None,
        direction: str | None = None,
        initial_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        terminators: str | None = None,
    ) -> RecordResult:
        """Record the call and wait until the recording ends; ``url``, ``duration``, ``size``."""
        action = await self.record_async(
            beep, stereo, record_format, direction, initial_timeout, end_silence_timeout, terminators
        )
        result: RecordResult = await action.wait()
        return result

    # -- detect -------------------------------------------------------------------------

    async def _detect(self, decisive: bool, detect_type: str, wait_for_beep: bool, timeout: float | None, **params: Any) -> DetectAction:
        detect, wire_timeout = commands.detect(detect_type, timeout=timeout, **params)
        wait_for_beep = commands.boolean("wait_for_beep", wait_for_beep)
        if wait_for_beep and detect_type != "machine":
            raise InvalidArgument("wait_for_beep", wait_for_beep, "False unless detect_type='machine'")
        body: dict[str, Any] = {"detect": detect}
        if wire_timeout is not None:
            body["timeout"] = wire_timeout
        action = DetectAction(self, body, decisive=decisive, wait_for_beep=wait_for_beep)
        return await self._start(action)

    async def detect_async(
        self,
        detect_type: str,
        wait_for_beep: bool = False,
        timeout: float | None = None,
        initial_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        machine_voice_threshold: float | None = None,
        machine_words_threshold: int | None = None,
        tone: str | None = None,
        digits: str | None = None,
    ) -> DetectAction:
        """Start a detector; returns a DetectAction at once.

        ``detect_type``: ``machine`` (``initial_timeout`` 4.5,
        ``end_silence_timeout`` 1.0, ``machine_voice_threshold`` 1.25,
        ``machine_words_threshold`` 6, ``wait_for_beep`` False), ``fax``
        (``tone`` CED or CNG, default CED) or ``digit`` (``digits``, default
        ``0123456789#*``); ``timeout`` default 30 s. The action collects every
        event until the detector finishes.
        """
        return await self._detect(
            False, detect_type, wait_for_beep, timeout,
            initial_timeout=initial_timeout, end_silence_timeout=end_silence_timeout,
            machine_voice_threshold=machine_voice_threshold, machine_words_threshold=machine_words_threshold,
            tone=tone, digits=digits,
        )

    async def detect(
        self,
        detect_type: str,
        wait_for_beep: bool = False,
        timeout: float | None = None,
        initial_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        machine_voice_threshold: float | None = None,
        machine_words_threshold: int | None = None,
        tone: str | None = None,
        digits: str | None = None,
    ) -> DetectResult:
        """Run a detector until it decides (see ``detect_async`` for parameters).

        ``result.result``: MACHINE/HUMAN/UNKNOWN, CED/CNG or the digits. With
        ``wait_for_beep`` a MACHINE waits until the machine is READY.
        """
        action = await self._detect(
            True, detect_type, wait_for_beep, timeout,
            initial_timeout=initial_timeout, end_silence_timeout=end_silence_timeout,
            machine_voice_threshold=machine_voice_threshold, machine_words_threshold=machine_words_threshold,
            tone=tone, digits=digits,
        )
        result: DetectResult = await action.wait()
        return result

    async def detect_answering_machine_async(
        self,
        wait_for_beep: bool = False,
        timeout: float | None = None,
        initial_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        machine_voice_threshold: float | None = None,
        machine_words_threshold: int | None = None,
    ) -> DetectAction:
        """Start answering-machine detection; returns a DetectAction at once."""
        return await self.detect_async(
            "machine", wait_for_beep, timeout, initial_timeout, end_silence_timeout,
            machine_voice_threshold, machine_words_threshold,
        )

    async def detect_answering_machine(
        self,
        wait_for_beep: bool = False,
        timeout: float | None = None,
        initial_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        machine_voice_threshold: float | None = None,
        machine_words_threshold: int | None = None,
    ) -> DetectResult:
        """Detect who answered: ``result.result`` is MACHINE, HUMAN or UNKNOWN."""
        return await self.detect(
            "machine", wait_for_beep, timeout, initial_timeout, end_silence_timeout,
            machine_voice_threshold, machine_words_threshold,
        )

    amd = detect_answering_machine
    amd_async = detect_answering_machine_async

    async def detect_digit_async(self, timeout: float | None = None, digits: str | None = None) -> DetectAction:
        """Start detecting DTMF ``digits`` (default all); returns a DetectAction at once."""
        return await self.detect_async("digit", timeout=timeout, digits=digits)

    async def detect_digit(self, timeout: float | None = None, digits: str | None = None) -> DetectResult:
        """Detect DTMF digits; ``result.result`` is the digits heard first."""
        return await self.detect("digit", timeout=timeout, digits=digits)

    async def detect_fax_async(self, timeout: float | None = None, tone: str | None = None) -> DetectAction:
        """Start detecting a fax tone (``tone`` CED or CNG); returns a DetectAction at once."""
        return await self.detect_async("fax", timeout=timeout, tone=tone)

    async def detect_fax(self, timeout: float | None = None, tone: str | None = None) -> DetectResult:
        """Detect a fax tone; ``result.result`` is CED or CNG."""
        return await self.detect("fax", timeout=timeout, tone=tone)

    # -- fax ---------------------------------------------------------------------------

    async def fax_receive_async(self) -> FaxAction:
        """Start receiving a fax; returns a FaxAction at once."""
        return await self._start(FaxAction(self, {}, method="calling.receive_fax"))

    async def fax_receive(self) -> FaxResult:
        """Receive a fax and wait until done: ``document`` (URL) and ``pages``."""
        result: FaxResult = await (await self.fax_receive_async()).wait()
        return result

    async def fax_send_async(
        self, document: str | None = None, identity: str | None = None, header: str | None = None, *, url: str | None = None
    ) -> FaxAction:
        """Start sending a fax of ``document`` (an http(s) URL of a PDF; ``url=``
        is accepted too), showing ``identity`` and ``header``; returns a FaxAction."""
        if document is not None and url is not None and document != url:
            raise InvalidArgument("url", url, "the same as document (give one of them)")
        params = commands.fax_send(document if document is not None else url, identity, header)
        return await self._start(FaxAction(self, params, method="calling.send_fax"))

    async def fax_send(
        self, document: str | None = None, identity: str | None = None, header: str | None = None, *, url: str | None = None
    ) -> FaxResult:
        """Send a fax and wait until done. See ``fax_send_async``."""
        action = await self.fax_send_async(document, identity, header, url=url)
        result: FaxResult = await action.wait()
        return result

    # -- digits and tap --------------------------------------------------------------------

    async def send_digits_async(self, digits: str) -> SendDigitsAction:
        """Send DTMF ``digits`` (``0-9 * # A-D``, ``w``/``W`` short/long waits); returns an Action."""
        return await self._start(SendDigitsAction(self, {"digits": commands.digits(digits)}))

    async def send_digits(self, digits: str) -> SendDigitsResult:
        """Send DTMF ``digits`` and wait until they are sent."""
        result: SendDigitsResult = await (await self.send_digits_async(digits)).wait()
        return result

    async def tap_async(
        self,
        audio_direction: str,
        target_type: str = "rtp",
        target_ptime: int | None = None,
        codec: str | None = None,
        target_addr: str | None = None,
        target_port: int | None = None,
        target_uri: str | None = None,
        rate: int | None = None,
    ) -> TapAction:
        """Stream the call's media to a target; returns a TapAction at once.

        ``audio_direction``: listen (what the caller hears), speak (what the
        caller says) or both. ``target_type`` rtp (``target_addr``,
        ``target_port``) or ws (``target_uri``); ``target_ptime``, ``codec``,
        ``rate`` default to the tapped media's.
        """
        tap, device = commands.tap(
            audio_direction=audio_direction, target_type=target_type, target_addr=target_addr,
            target_port=target_port, target_ptime=target_ptime, target_uri=target_uri, rate=rate, codec=codec,
        )
        return await self._start(TapAction(self, {"tap": tap, "device": device}))

    async def tap(
        self,
        audio_direction: str,
        target_type: str = "rtp",
        target_ptime: int | None = None,
        codec: str | None = None,
        target_addr: str | None = None,
        target_port: int | None = None,
        target_uri: str | None = None,
        rate: int | None = None,
    ) -> TapResult:
        """Tap the call's media until the tap (or the call) ends. See ``tap_async``."""
        action = await self.tap_async(
            audio_direction, target_type, target_ptime, codec, target_addr, target_port, target_uri, rate
        )
        result: TapResult = await action.wait()
        return result


def _tts(text: str, language: str | None, gender: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "tts", "text": text}
    if language is not None:
        item["language"] = language
    if gender is not None:
        item["gender"] = gender
    return item


def _ringtone(name: str, duration: float | None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "ringtone", "name": name}
    if duration is not None:
        item["duration"] = duration
    return item
