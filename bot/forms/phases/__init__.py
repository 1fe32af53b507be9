"""The dialogue's phase groups, each a mixin of `Conversation` (bot/forms/dialogue.py).

core: what every group uses (the application, the next question, text keys);
asking and corrections: answers, help, skip, back, change and remove;
documents: the document questions; summary: confirm, cancel, submitted;
detours: handover, pause, resume, status, information; language: switching it;
guiding: the menu, the guide's triage questions and its offer.
"""
