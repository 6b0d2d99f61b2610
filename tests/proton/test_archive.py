"""pack_archive: what the demo and tests upload as Proton bundles, byte-identical on any day."""

from __future__ import annotations

from unittest import mock

from proton_exodus.proton.archive import pack_archive, read_archive

FILES = {"v1/schema/schema.yaml": b"schema: {}\n", "v1/infrastructure/manifest.yaml": b"infrastructure: {}\n"}


def test_the_same_files_pack_to_the_same_bytes_at_another_time() -> None:
    first = pack_archive(FILES)
    with mock.patch("time.time", return_value=2_000_000_000.0):
        later = pack_archive(FILES)
    assert first == later
    assert first[4:8] == b"\0\0\0\0"  # the gzip header's mtime field


def test_a_packed_archive_reads_back_as_its_files() -> None:
    bundle = read_archive(pack_archive(FILES), source="test.tar.gz", max_size=1 << 20)
    assert {rel: bundle.files[rel] for rel in FILES} == FILES
