"""The one packaging step pyproject.toml cannot say: ship the default theme inside the package.

The theme is edited where theme authors look for it, themes/default/ at the top of the
repository; an installed wheel carries it as brokerlearn/_themes/default/, where
brokerlearn.paths.default_theme_dir looks. An editable install needs no copy: it finds the
theme in the checkout. Everything else is declared in pyproject.toml.
"""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

THEME = Path("themes", "default")
IN_PACKAGE = ("brokerlearn", "_themes", "default")


def theme_files() -> list[Path]:
    return sorted(path for path in THEME.rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc")


class BuildPyWithTheme(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # the checkout's themes/default is used as it is
            return
        for source in theme_files():
            target = Path(self.build_lib, *IN_PACKAGE, source.relative_to(THEME))
            self.mkpath(str(target.parent))
            self.copy_file(str(source), str(target), preserve_mode=False)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if not self.editable_mode:
            outputs += [str(Path(self.build_lib, *IN_PACKAGE, p.relative_to(THEME))) for p in theme_files()]
        return outputs


# setuptools' scratch folder is build/ by default, the folder `brokerlearn build` writes the site to:
# a wheel built in a checkout would land beside (and be served with) the site.
setup(cmdclass={"build_py": BuildPyWithTheme}, options={"build": {"build_base": ".setuptools-build"}})
