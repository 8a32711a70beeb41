"""The media layer's ffmpeg commands (built with ffmpeg-python) ask ffmpeg for what the hand-built
argv lists they replaced asked for, and the one frame reader and writer carry frames both ways."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from zorgblik.errors import ToolError
from zorgblik.media.ffmpeg import decode_command, encode_command, options, still_command
from zorgblik.media.frames import frame_bytes, frame_writer, read_frames
from zorgblik.tools import run_tool


def sections(argv: list[str]) -> list[tuple[str, frozenset]]:
    """The command as (file, its options) per input and output, and ("", global options):
    ffmpeg reads the options of one file in any order, and global ones anywhere."""
    glob = {"-v", "-nostdin", "-y", "-loglevel"}
    found, pending, globals_ = [], [], []
    args = iter(argv[1:])
    for arg in args:
        if arg in glob:
            globals_.append(arg if arg in ("-nostdin", "-y") else ("-v", next(args)))
        elif arg == "-i":
            found.append(("-i " + next(args), frozenset(pending)))
            pending = []
        elif arg.startswith("-") and arg != "-":
            pending.append((arg, next(args)))
        else:
            found.append((arg, frozenset(pending)))
            pending = []
    return found + [("", frozenset(globals_))]


def test_the_decoder_asks_for_what_the_readers_asked_for():
    old = ["ffmpeg", "-v", "error", "-nostdin", "-ss", "1.500", "-t", "2.000", "-i", "in.mp4", "-map", "0:v:0",
           "-vf", "v360=e:e,scale=4:2", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1"]
    new = decode_command("in.mp4", pix_fmt="yuv420p", start=1.5, duration=2.0, filters="v360=e:e,scale=4:2")
    assert sections(new) == sections(old)
    old = ["ffmpeg", "-v", "error", "-nostdin", "-i", "in.mp4", "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "bgr24",
           "pipe:1"]
    assert sections(decode_command("in.mp4", pix_fmt="bgr24")) == sections(old)


def test_the_encoder_reads_the_pipe_first_and_takes_the_sound_of_the_source():
    old = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", "64x32", "-r", "30000/1001",
           "-i", "pipe:0", "-ss", "1.500", "-t", "2.000", "-i", "in.mp4", "-map", "0:v", "-map", "1:a?",
           "-c:v", "libx264", "-crf", "16", "-c:a", "pcm_s16le", "out.mp4"]
    new = encode_command("out.mp4", (64, 32), Fraction(30000, 1001), pix_fmt="yuv420p", video_args=["-c:v", "libx264", "-crf", 16],
                         audio_from="in.mp4", audio_args=["-c:a", "pcm_s16le"], audio_start=1.5, audio_duration=2.0)
    assert new.index("pipe:0") < new.index("in.mp4")
    assert sections(new) == sections(old)


def test_one_frame_to_a_file():
    old = ["ffmpeg", "-v", "error", "-nostdin", "-ss", "1.0", "-i", "in.mp4", "-frames:v", "1",
           "-vf", "scale='min(640,iw)':-1", "-pix_fmt", "gray", "f.png"]
    assert sections(still_command("in.mp4", "f.png", at=1.0, filters="scale='min(640,iw)':-1", pix_fmt="gray")) == \
        sections(old)


def test_options_are_pairs():
    assert options(["-c:v", "libx264", "-crf", 16]) == {"c:v": "libx264", "crf": "16"}
    with pytest.raises(ValueError):
        options(["-an"])


def test_frames_go_out_and_come_back(tmp_path):
    size, clip = (32, 16), tmp_path / "clip.mp4"
    frames = [np.full(frame_bytes(size, "rgb24"), value, np.uint8) for value in (0, 128, 255)]
    with frame_writer(clip, size, 10, pix_fmt="rgb24", video_args=["-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p"],
                      audio_from=None) as write:
        for frame in frames:
            write(frame)
    back = list(read_frames(clip, size, pix_fmt="rgb24"))
    assert len(back) == 3 and all(b.shape == (32 * 16 * 3,) for b in back)
    assert [int(np.median(b)) for b in back] == pytest.approx([0, 128, 255], abs=2)
    assert len(list(read_frames(clip, (16, 8), pix_fmt="yuv420p", filters="scale=16:8", frames=1))) == 1


def test_stopping_early_stops_the_decoder(tmp_path):
    clip = tmp_path / "long.mp4"
    run_tool(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x32:rate=25:duration=4",
              "-c:v", "libx264", "-preset", "ultrafast", clip])
    frames = read_frames(clip, (64, 32), pix_fmt="bgr24")
    next(frames)
    frames.close()   # no ToolError for the decoder killed on the way out


def test_a_file_that_is_no_video_is_a_tool_error(tmp_path):
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("not a video")
    with pytest.raises(ToolError) as caught:
        list(read_frames(bogus, (4, 4), pix_fmt="gray"))
    assert caught.value.where == str(bogus)
