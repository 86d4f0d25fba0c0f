"""The App Home tab: what a person has to do and what is going on, in one place."""
