"""The one loader of content/: region packs, templates data, choice sets, policies and calendars."""
