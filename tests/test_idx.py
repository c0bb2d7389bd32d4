"""The IDX reader of the training clients, on small IDX files written here."""

import gzip
import importlib.util

import numpy
import pytest
import torch

from support import ROOT

# The template's copy of read_idx is the same code (test_client.py checks it).
SPEC = importlib.util.spec_from_file_location("reference_client_idx",
                                              ROOT / "reference" / "client.py")
client = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(client)

TYPE_CODES = {"u1": 0x08, "i1": 0x09, "i2": 0x0B, "i4": 0x0C, "f4": 0x0D, "f8": 0x0E}


def idx_bytes(array: numpy.ndarray) -> bytes:
    """``array`` in the IDX format: 00 00, type code, dimensions, big-endian values."""
    kind = f"{array.dtype.kind}{array.dtype.itemsize}"
    header = bytes([0, 0, TYPE_CODES[kind], array.ndim])
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(path, array, zipped=False):
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data) if zipped else data)
    return path


def test_unsigned_bytes_keep_their_shape_and_values(tmp_path):
    images = numpy.arange(2 * 3 * 4, dtype=numpy.uint8).reshape(2, 3, 4) * 10
    got = client.read_idx(write(tmp_path / "images-idx3-ubyte", images))
    assert got.dtype == torch.uint8 and got.shape == (2, 3, 4)
    assert got.tolist() == images.tolist()


def test_gzipped_files_are_read_whatever_their_name(tmp_path):
    labels = numpy.array([3, 1, 4, 1, 5], dtype=numpy.uint8)
    got = client.read_idx(write(tmp_path / "labels-idx1-ubyte", labels, zipped=True))
    assert got.tolist() == [3, 1, 4, 1, 5]


@pytest.mark.parametrize("dtype", [numpy.int8, numpy.int16, numpy.int32, numpy.float32,
                                   numpy.float64])
def test_multi_byte_values_are_read_big_endian(tmp_path, dtype):
    # Wider types get values that need more than one byte.
    scale = 1 if dtype == numpy.int8 else 200
    values = (numpy.array([[-2, 0, 1], [100, -7, 127]]) * scale).astype(dtype)
    got = client.read_idx(write(tmp_path / "values.idx", values))
    assert got.shape == (2, 3)
    assert got.tolist() == values.tolist()


def test_a_file_that_is_not_idx_is_refused_with_its_first_bytes(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello, world")
    with pytest.raises(ValueError, match=r"notes.txt: not an IDX file \(it starts with bytes "
                                         r"68 65 6c 6c\)"):
        client.read_idx(path)


def test_a_file_cut_short_says_how_many_bytes_it_needs(tmp_path):
    data = idx_bytes(numpy.zeros((4, 5), dtype=numpy.uint8))
    path = tmp_path / "short-idx2-ubyte"
    path.write_bytes(data[:-3])
    with pytest.raises(ValueError, match=r"shape \(4, 5\) needs 32 bytes but the file has 29"):
        client.read_idx(path)


def test_a_header_cut_short_is_refused(tmp_path):
    path = tmp_path / "header-idx3-ubyte"
    path.write_bytes(bytes([0, 0, 0x08, 3, 0, 0, 0, 2]))
    with pytest.raises(ValueError, match="announces 3 dimensions but the file ends after 8"):
        client.read_idx(path)


def test_damaged_gzip_data_is_refused(tmp_path):
    path = tmp_path / "labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(numpy.zeros(50, dtype=numpy.uint8)))[:-12])
    with pytest.raises(ValueError, match="gzip data is damaged"):
        client.read_idx(path)
