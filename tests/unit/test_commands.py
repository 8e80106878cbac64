"""SDK arguments -> wire params, and every validation error."""

import pytest

from relay_anyio import commands as c
from relay_anyio.errors import InvalidArgument, InvalidArgumentType, RelayError


def test_media_items_are_wrapped_and_silence_is_a_number() -> None:
    assert c.media_list(
        [
            {"type": "tts", "text": "hi", "gender": "male"},
            {"type": "audio", "url": "https://x/a.mp3"},
            {"type": "silence", "duration": "5"},
            {"type": "ringtone", "name": "us", "duration": 2.5},
        ]
    ) == [
        {"type": "tts", "params": {"text": "hi", "gender": "male"}},
        {"type": "audio", "params": {"url": "https://x/a.mp3"}},
        {"type": "silence", "params": {"duration": 5}},
        {"type": "ringtone", "params": {"name": "us", "duration": 2.5}},
    ]


@pytest.mark.parametrize(
    "item, argument",
    [
        ({"type": "video", "url": "x"}, "media_list[].type"),
        ({"type": "tts"}, "media_list[].text"),
        ({"type": "audio"}, "media_list[].url"),
        ({"type": "silence"}, "media_list[].duration"),
        ({"type": "ringtone"}, "media_list[].name"),
        ({"type": "ringtone", "name": "xx"}, "media_list[].name"),
        ({"type": "tts", "text": "a", "gender": "robot"}, "media_list[].gender"),
        ({"type": "tts", "text": "a", "colour": "red"}, "media_list[] key"),
        ({"type": "silence", "duration": -1}, "media_list[].duration"),
    ],
)
def test_bad_media_names_the_argument(item: dict, argument: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        c.media_list([item])
    assert info.value.argument == argument
    assert isinstance(info.value, ValueError) and isinstance(info.value, RelayError)


def test_media_list_type_errors() -> None:
    with pytest.raises(InvalidArgumentType):
        c.media_list("tts")
    with pytest.raises(InvalidArgument):
        c.media_list([])
    with pytest.raises(InvalidArgumentType):
        c.media_list([{"type": "silence", "duration": "long"}])


def test_every_reference_ringtone_is_accepted() -> None:
    names = "at au bg br be ch cl cn cz de dk ee es fi fr gr hu il in it lt jp mx my nl no nz ph pl pt ru se sg th uk us tw ve za"
    for name in names.split():
        assert c.media({"type": "ringtone", "name": name})["params"]["name"] == name
    assert len(c.RINGTONES) == 39


@pytest.mark.parametrize("value", [-40, 0, 12.5, 40])
def test_volume_range_ok(value: float) -> None:
    assert c.volume(value) == value


@pytest.mark.parametrize("value", [-40.1, 41, float("nan")])
def test_volume_out_of_range(value: float) -> None:
    with pytest.raises(InvalidArgument, match="volume"):
        c.volume(value)


def test_collect_digits_speech_both() -> None:
    assert c.collect("digits", digits_max=4, digits_terminators="#", digits_timeout=2, initial_timeout=5) == {
        "initial_timeout": 5,
        "digits": {"max": 4, "terminators": "#", "digit_timeout": 2},
    }
    assert c.collect("speech", end_silence_timeout=1, speech_timeout=10, speech_language="en-GB", speech_hints=["yes"]) == {
        "speech": {"end_silence_timeout": 1, "speech_timeout": 10, "language": "en-GB", "hints": ["yes"]}
    }
    assert c.collect("both", digits_max=1) == {"digits": {"max": 1}, "speech": {}}


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"prompt_type": "dtmf"}, "prompt_type"),
        ({"prompt_type": "digits"}, "digits_max"),
        ({"prompt_type": "digits", "digits_max": 0}, "digits_max"),
        ({"prompt_type": "digits", "digits_max": 2, "digits_terminators": "x"}, "digits_terminators"),
        ({"prompt_type": "speech", "speech_hints": "yes"}, "speech_hints"),
    ],
)
def test_collect_errors(kwargs: dict, argument: str) -> None:
    with pytest.raises((InvalidArgument, InvalidArgumentType)) as info:
        c.collect(**kwargs)
    assert info.value.argument == argument


def test_record_params_under_audio_only_given_keys() -> None:
    assert c.record() == {"audio": {}}
    assert c.record(beep=True, record_format="wav", stereo=True, direction="both", initial_timeout=0,
                    end_silence_timeout=2, terminators="#") == {
        "audio": {"beep": True, "format": "wav", "stereo": True, "direction": "both",
                  "initial_timeout": 0, "end_silence_timeout": 2, "terminators": "#"}
    }


@pytest.mark.parametrize(
    "kwargs, argument",
    [({"record_format": "ogg"}, "record_format"), ({"direction": "up"}, "direction"), ({"beep": "yes"}, "beep")],
)
def test_record_errors(kwargs: dict, argument: str) -> None:
    with pytest.raises((InvalidArgument, InvalidArgumentType)) as info:
        c.record(**kwargs)
    assert info.value.argument == argument


def test_detect_params() -> None:
    assert c.detect("machine", timeout=45, initial_timeout=3) == (
        {"type": "machine", "params": {"initial_timeout": 3}}, 45)
    assert c.detect("fax", tone="CNG") == ({"type": "fax", "params": {"tone": "CNG"}}, None)
    assert c.detect("digit", digits="123") == ({"type": "digit", "params": {"digits": "123"}}, None)


@pytest.mark.parametrize(
    "args, kwargs, argument",
    [
        (("voice",), {}, "detect_type"),
        (("fax",), {"tone": "BEEP"}, "tone"),
        (("fax",), {"digits": "1"}, "digits"),
        (("digit",), {"digits": "xyz"}, "digits"),
        (("machine",), {"tone": "CED"}, "tone"),
    ],
)
def test_detect_errors(args: tuple, kwargs: dict, argument: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        c.detect(*args, **kwargs)
    assert info.value.argument == argument


def test_tap_rtp_and_ws() -> None:
    tap, device = c.tap(audio_direction="listen", target_type="rtp", target_addr="127.0.0.1", target_port=1234,
                        target_ptime=20, codec="PCMU")
    assert tap == {"type": "audio", "params": {"direction": "listen"}}
    assert device == {"type": "rtp", "params": {"addr": "127.0.0.1", "port": 1234, "ptime": 20, "codec": "PCMU"}}
    _, device = c.tap(audio_direction="both", target_type="ws", target_uri="wss://example.test/tap", rate=8000)
    assert device == {"type": "ws", "params": {"uri": "wss://example.test/tap", "rate": 8000}}


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"audio_direction": "sideways", "target_addr": "a", "target_port": 1}, "audio_direction"),
        ({"audio_direction": "listen", "target_type": "sip"}, "target_type"),
        ({"audio_direction": "listen", "target_port": 1}, "target_addr"),
        ({"audio_direction": "listen", "target_addr": "10.0.0.1"}, "target_port"),
        ({"audio_direction": "listen", "target_addr": "10.0.0.1", "target_port": 70000}, "target_port"),
        ({"audio_direction": "listen", "target_type": "ws"}, "target_uri"),
    ],
)
def test_tap_errors(kwargs: dict, argument: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        c.tap(**kwargs)
    assert info.value.argument == argument


@pytest.mark.parametrize("addr", ["a", "rtp.example.com", "::1", "192.168.1.256", "192.168.1"])
def test_tap_target_addr_must_be_an_ipv4_address(addr: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        c.tap(audio_direction="listen", target_addr=addr, target_port=1234)
    assert info.value.argument == "target_addr" and "IPv4" in str(info.value)


@pytest.mark.parametrize("url", ["not-a-url", "ftp://x/a.mp3", "file:///etc/passwd", "/a.mp3"])
def test_audio_urls_must_be_http_or_https(url: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        c.media_list([{"type": "audio", "url": url}])
    assert info.value.argument == "media_list[].url"
    assert c.media({"type": "audio", "url": "HTTPS://x/a.mp3"})["params"] == {"url": "HTTPS://x/a.mp3"}


def test_flat_media_keys_beside_a_params_dict_are_refused() -> None:
    """A bad gender next to 'params' was silently dropped: now it names the key."""
    with pytest.raises(InvalidArgument) as info:
        c.media({"type": "tts", "params": {"text": "hi"}, "gender": "robot"})
    assert info.value.argument == "media_list[] key" and info.value.value == "gender"
    assert c.media({"type": "tts", "params": {"text": "hi", "gender": "male"}}) == {
        "type": "tts", "params": {"text": "hi", "gender": "male"}}
    with pytest.raises(InvalidArgument):
        c.media({"type": "tts", "params": {"text": "hi", "gender": "robot"}})


@pytest.mark.parametrize(
    "prompt_type, option",
    [("speech", "digits_max"), ("speech", "digits_terminators"), ("speech", "digits_timeout"),
     ("digits", "speech_hints"), ("digits", "speech_language"), ("digits", "end_silence_timeout"),
     ("digits", "speech_timeout")],
)
def test_prompt_options_of_the_other_collect_type_are_refused(prompt_type: str, option: str) -> None:
    value = {"speech_hints": ["yes"], "digits_terminators": "#", "speech_language": "en-GB"}.get(option, 1)
    options = {option: value}
    if prompt_type == "digits":
        options["digits_max"] = 1
    with pytest.raises(InvalidArgument) as info:
        c.collect(prompt_type, **options)
    assert info.value.argument == option and prompt_type in str(info.value)
    both = {option: value, "digits_max": 1}
    assert c.collect("both", **both)  # both types take every option


def test_an_unknown_prompt_option_names_the_allowed_ones() -> None:
    with pytest.raises(InvalidArgument) as info:
        c.collect("digits", digits_mx=4)
    assert info.value.argument == "digits_mx" and "digits_max" in str(info.value)


def test_connect_device_timeout_takes_a_float() -> None:
    steps = c.devices([{"to_number": "+1", "timeout": 12.5}], default_from="+0")
    assert steps[0][0]["params"]["timeout"] == 12  # whole seconds on the wire, as the official SDK sends
    assert c.devices([{"to_number": "+1"}], default_from="+0", default_timeout=20)[0][0]["params"]["timeout"] == 20


def test_record_type_is_audio() -> None:
    assert c.record(record_type="audio", beep=True) == {"audio": {"beep": True}}
    with pytest.raises(InvalidArgument) as info:
        c.record(record_type="video")
    assert info.value.argument == "record_type"


def test_devices_serial_and_parallel() -> None:
    steps = c.devices(
        [{"to_number": "+1", "timeout": 30}, [{"to_number": "+2"}, {"to_number": "+3", "from_number": "+9"}]],
        default_from="+0",
    )
    assert steps == [
        [{"type": "phone", "params": {"from_number": "+0", "to_number": "+1", "timeout": 30}}],
        [
            {"type": "phone", "params": {"from_number": "+0", "to_number": "+2"}},
            {"type": "phone", "params": {"from_number": "+9", "to_number": "+3"}},
        ],
    ]
    assert c.devices({"to_number": "+1"}, default_from="+0") == [
        [{"type": "phone", "params": {"from_number": "+0", "to_number": "+1"}}]
    ]


@pytest.mark.parametrize(
    "device_list, argument",
    [
        ([], "device_list"),
        ([{"from_number": "+1"}], "device_list[].to_number"),
        ([{"to_number": "+1", "call_type": "sip"}], "device_list[].call_type"),
        ([[]], "device_list[]"),
        ([{"to_number": "+1", "bogus": 1}], "device_list[] key"),
    ],
)
def test_device_errors(device_list: list, argument: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        c.devices(device_list, default_from="+0")
    assert info.value.argument == argument


def test_send_digits_characters() -> None:
    assert c.digits("1234567890*#ABCDwW") == "1234567890*#ABCDwW"
    for bad in ("12a", "1 2", "E", ""):
        with pytest.raises(InvalidArgument) as info:
            c.digits(bad)
        assert info.value.argument == "digits"


def test_fax_send_params() -> None:
    assert c.fax_send("https://x/doc.pdf", "+1555", "Hdr") == {
        "document": "https://x/doc.pdf", "identity": "+1555", "header_info": "Hdr"}
    assert c.fax_send("https://x/doc.pdf", header="") == {"document": "https://x/doc.pdf", "header_info": ""}
    with pytest.raises(InvalidArgument):
        c.fax_send("ftp://x/doc.pdf")
