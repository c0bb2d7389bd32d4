"""Finding a submission's code and copying it, without ever changing the submission."""

import os

import nbformat
import pytest

from support import ROOT
from graders.intake import IntakeError, file_hashes, load_submission


def write(folder, name, text="x = 1\n"):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def loaded():
    made = []

    def load(path, **kwargs):
        submission = load_submission(path, **kwargs)
        made.append(submission)
        return submission
    yield load
    for submission in made:
        submission.cleanup()


def test_library_at_the_top(tmp_path, loaded):
    for name in ("layers.py", "network.py", "test_linear.py", "helpers.py"):
        write(tmp_path, name)
    submission = loaded(tmp_path)
    assert submission.modules == ["layers", "network"]
    assert submission.test_files == ["test_linear.py"]
    assert (submission.scratch / "helpers.py").exists()


def test_library_one_folder_down_and_named_layer(tmp_path, loaded):
    write(tmp_path, "lab2/layer.py")
    write(tmp_path, "lab2/network.py")
    write(tmp_path, "readme.txt")
    submission = loaded(tmp_path)
    assert submission.code_dir == tmp_path / "lab2"
    assert submission.modules == ["layer", "network"]


def test_notebook_code_cells_become_a_module_without_magics(tmp_path, loaded):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Lab"),
                      nbformat.v4.new_code_cell("%matplotlib inline\nclass Linear:\n    pass"),
                      nbformat.v4.new_code_cell("!pip list\nclass Network:\n    pass")]
    nbformat.write(notebook, tmp_path / "My Lab.ipynb")
    submission = loaded(tmp_path)
    assert submission.modules == ["nb_my_lab"]
    source = (submission.scratch / "nb_my_lab.py").read_text()
    assert "class Linear" in source and "class Network" in source
    assert "%matplotlib" not in source and "!pip" not in source


def test_nothing_to_grade_is_a_note_not_a_crash(tmp_path, loaded):
    write(tmp_path, "essay.txt")
    submission = loaded(tmp_path)
    assert submission.modules == []
    assert "no network.py, layers.py or layer.py was found" in submission.notes[0]


def test_links_out_of_the_submission_are_not_followed(tmp_path, loaded):
    write(tmp_path, "layers.py")
    os.symlink("/etc/passwd", tmp_path / "network.py")
    submission = loaded(tmp_path)
    assert not (submission.scratch / "network.py").exists()
    assert any("network.py is a symbolic link" in note for note in submission.notes)


def test_the_submission_is_never_changed(tmp_path, loaded):
    for name in ("layers.py", "network.py", "test_x.py", "sub/notes.md"):
        write(tmp_path, name)
    before = file_hashes(tmp_path)
    loaded(tmp_path).cleanup()
    assert file_hashes(tmp_path) == before


def test_handed_out_examples_are_recognised_even_with_crlf(tmp_path, loaded):
    write(tmp_path, "layers.py")
    example = (ROOT / "student_template" / "test_sum.py").read_bytes()
    (tmp_path / "test_sum.py").write_bytes(example.replace(b"\n", b"\r\n"))
    write(tmp_path, "test_relu.py")
    submission = loaded(tmp_path)
    assert submission.handed_out == ["test_sum.py"]


def test_a_missing_path_names_the_fix(tmp_path):
    with pytest.raises(IntakeError, match="no such file or folder; give the submission's"):
        load_submission(tmp_path / "nope")


def test_a_broken_grading_toml_is_noted_and_ignored(tmp_path, loaded):
    write(tmp_path, "layers.py")
    write(tmp_path, "grading.toml", "[classes\n")
    submission = loaded(tmp_path)
    assert submission.overrides == {}
    assert any("grading.toml is not valid TOML" in note for note in submission.notes)


def test_autograd_in_the_library_is_noted_with_its_line(tmp_path, loaded):
    write(tmp_path, "layers.py", "import torch\n\nW = torch.zeros(2, requires_grad=True)\n")
    write(tmp_path, "test_layers.py", "x.requires_grad  # tests may use it\n")
    notes = loaded(tmp_path).notes
    assert any(n.startswith("layers.py, line 3 uses torch.autograd") for n in notes)
    assert not any("test_layers.py" in n for n in notes)


def test_a_percent_line_that_continues_a_statement_is_kept(tmp_path, loaded):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell('TEXT = ("%d and %d"\n        % (1, 2))')]
    nbformat.write(notebook, tmp_path / "lab.ipynb")
    submission = loaded(tmp_path)
    assert "% (1, 2)" in (submission.scratch / "nb_lab.py").read_text()
