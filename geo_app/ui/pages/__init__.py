"""The app's pages; each module has one ``render()`` that reads widgets and shows results."""
