"""The application shell: factory, configuration, extensions and commands."""
