"""One list of the front-end extensions of the dashboards' pages, for both ways of serving them:
Voila reads the configuration file written for JupyterLab as the list, and ``tariffmodel
dashboard`` passes the same list."""

from __future__ import annotations

from pathlib import Path

from traitlets.config import Config, JSONFileConfigLoader
from voila.configuration import VoilaConfiguration

from tariffmodel.cli.commands.dashboard import voila_argv
from tariffmodel.dashboards.extensions import FRONTEND_EXTENSIONS, main


def test_the_file_written_for_jupyterlab_is_read_by_voila_as_the_list(tmp_path):
    path = tmp_path / "etc" / "jupyter" / "voila.json"
    assert main([str(path)]) == 0
    # as Voila's server extension reads it: voila.json of a configuration folder
    config = JSONFileConfigLoader("voila.json", path=str(path.parent)).load_config()
    voila = VoilaConfiguration(config=Config(config))
    assert voila.extension_allowlist == list(FRONTEND_EXTENSIONS)
    assert not voila.extension_denylist


def test_the_dashboard_command_passes_the_same_list():
    argv = voila_argv(Path("dashboards"), port=8866)
    option = "--VoilaConfiguration.extension_allowlist="
    assert [a.removeprefix(option) for a in argv if a.startswith(option)] == list(
        FRONTEND_EXTENSIONS
    )
    assert not any("extension_denylist" in a for a in argv)


def test_main_asks_for_one_file(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err
