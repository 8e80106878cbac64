"""Wire constants of Relay v2 (calling, messaging, tasking): the one place for the SDK and the simulator.

Every name and value a frame may carry that is fixed by the service, and
the defaults the service applies when a key is left out (the reference's
defaults). ``commands`` validates against these, the component
declarations read their states from here, and the simulator
(``relay_anyio.testing``) imports the same module, so the two cannot drift.
See ``docs/protocol.md`` for what the frames look like.
"""

from __future__ import annotations

__all__ = [
    "AUDIO_URL_SCHEMES",
    "CALL_STATES",
    "CALLING_EVENTS",
    "CALL_TYPES",
    "COLLECT_RESULTS",
    "CONNECT_STATES",
    "DETECT_DECISIONS",
    "DETECT_EVENTS",
    "DETECT_TYPES",
    "DIRECTIONS",
    "DTMF_DIGITS",
    "END_REASONS",
    "FAX_EVENTS",
    "FAX_TONES",
    "GENDERS",
    "HANGUP_REASONS",
    "MEDIA_KEYS",
    "MEDIA_TYPES",
    "MESSAGE_FINAL_STATES",
    "MESSAGE_STATES",
    "MESSAGING_EVENTS",
    "MESSAGING_RECEIVE",
    "MESSAGING_SEND",
    "MESSAGING_STATE",
    "PLAY_STATES",
    "PROMPT_TYPES",
    "RECORD_FORMATS",
    "RECORD_STATES",
    "RECORD_TYPES",
    "RINGTONES",
    "SEND_DIGITS_CHARS",
    "SEND_DIGITS_STATES",
    "TAP_STATES",
    "TAP_TARGETS",
    "TAP_TYPES",
    "TASKS_EVENTS",
    "TASKS_PATH",
    "VOLUME_RANGE",
    "Defaults",
]

# -- calls -------------------------------------------------------------------

CALL_TYPES = ("phone",)
#: Life-cycle order: a call only moves forward through these.
CALL_STATES = ("created", "ringing", "answered", "ending", "ended")
#: ``end_reason`` values of calling.call.state.
END_REASONS = ("hangup", "cancel", "busy", "noAnswer", "decline", "error")
#: ``reason`` values a client may send with calling.end.
HANGUP_REASONS = ("hangup", "cancel", "busy", "decline")
CONNECT_STATES = ("connecting", "connected", "failed", "disconnected")

# -- media ---------------------------------------------------------------------

#: The reference's ringtone names (short country codes).
RINGTONES = frozenset(
    "at au bg br be ch cl cn cz de dk ee es fi fr gr hu il in it lt jp mx my "
    "nl no nz ph pl pt ru se sg th uk us tw ve za".split()
)
#: Media type -> (required keys, optional keys) of its ``params``.
MEDIA_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "audio": (("url",), ()),
    "tts": (("text",), ("language", "gender")),
    "silence": (("duration",), ()),
    "ringtone": (("name",), ("duration",)),
}
MEDIA_TYPES = tuple(MEDIA_KEYS)
#: An audio ``url`` is fetched by the service: only these schemes work.
AUDIO_URL_SCHEMES = ("http://", "https://")
GENDERS = ("male", "female")
#: Volume in dB of play, prompt and their ``.volume`` verbs (0 = unchanged).
VOLUME_RANGE = (-40.0, 40.0)

# -- components ------------------------------------------------------------------

PLAY_STATES = ("playing", "error", "finished")
PROMPT_TYPES = ("digits", "speech", "both")
#: ``result.type`` of calling.call.collect.
COLLECT_RESULTS = ("digit", "speech", "no_input", "no_match", "error")
DTMF_DIGITS = "0123456789*#ABCD"
#: What send_digits may send: DTMF plus ``w``/``W`` (short and long waits).
SEND_DIGITS_CHARS = DTMF_DIGITS + "wW"
SEND_DIGITS_STATES = ("finished",)
RECORD_TYPES = ("audio",)
RECORD_FORMATS = ("mp3", "wav")
RECORD_STATES = ("recording", "no_input", "finished")
DIRECTIONS = ("listen", "speak", "both")
DETECT_TYPES = ("machine", "fax", "digit")
FAX_TONES = ("CED", "CNG")
#: ``detect.params.event`` values besides the digits a digit detector hears.
DETECT_EVENTS = ("MACHINE", "HUMAN", "UNKNOWN", "READY", "NOT_READY", "CED", "CNG", "finished", "error")
#: The events that decide a waiting detector, by detector type ("digit": any digits).
DETECT_DECISIONS = {"machine": ("MACHINE", "HUMAN", "UNKNOWN"), "fax": ("CED", "CNG")}
FAX_EVENTS = ("page", "finished", "error")
TAP_TYPES = ("audio",)
TAP_TARGETS = ("rtp", "ws")
TAP_STATES = ("tapping", "finished")


# -- what a blade.broadcast carries (its ``event``) --------------------------------

#: Calling events: ``params`` is ``{event_type, event_channel, timestamp, params}``.
CALLING_EVENTS = "queuing.relay.events"
#: Messaging events: ``params`` is ``{event_type, ..., params}`` like calling's.
MESSAGING_EVENTS = "queuing.relay.messaging"
#: Tasks: ``params`` is the task itself, ``{context, message}`` (no event_type).
TASKS_EVENTS = "queuing.relay.tasks"

# -- messaging -------------------------------------------------------------------

MESSAGING_SEND = "messaging.send"
#: event_type of an inbound message (SMS/MMS) on a received context.
MESSAGING_RECEIVE = "messaging.receive"
#: event_type of an outbound message's state change.
MESSAGING_STATE = "messaging.state"
#: Life-cycle order of an outbound message.
MESSAGE_STATES = ("queued", "initiated", "sent", "delivered", "undelivered", "failed")
#: The states a message ends in (no event follows them).
MESSAGE_FINAL_STATES = ("delivered", "undelivered", "failed")

# -- tasking ----------------------------------------------------------------------

#: Where a task is POSTed (HTTPS, Basic auth project:token, JSON {context, message}; 204 = delivered).
TASKS_PATH = "/api/relay/rest/tasks"


class Defaults:
    """What the service applies when a key is left out (the reference's defaults).

    The SDK sends only the keys a user gave; the simulator applies these.
    """

    DETECT_TIMEOUT = 30.0
    MACHINE_INITIAL_TIMEOUT = 4.5
    MACHINE_END_SILENCE_TIMEOUT = 1.0
    MACHINE_VOICE_THRESHOLD = 1.25
    MACHINE_WORDS_THRESHOLD = 6
    DETECT_DIGITS = "0123456789#*"
    FAX_TONE = "CED"
    PROMPT_INITIAL_TIMEOUT = 4.0
    DIGIT_TIMEOUT = 5.0
    SPEECH_END_SILENCE_TIMEOUT = 1.0
    SPEECH_TIMEOUT = 60.0
    SPEECH_LANGUAGE = "en-US"
    TTS_LANGUAGE = "en-US"
    TTS_GENDER = "female"
    RECORD_FORMAT = "mp3"
    RECORD_DIRECTION = "speak"
    RECORD_INITIAL_TIMEOUT = 5.0
    RECORD_END_SILENCE_TIMEOUT = 1.0
    RECORD_TERMINATORS = "#*"
    DIAL_TIMEOUT = 30.0
