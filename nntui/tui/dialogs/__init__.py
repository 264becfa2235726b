"""Modal dialogs: confirmation, help and the sweep form."""
