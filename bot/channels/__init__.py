"""Ways citizens reach the bot: the full-page chat (`chat_page`), later the widget and
messenger adapters. Every channel speaks the conversation contract
(`contracts/conversation.md`) with Rasa; none of them holds dialogue logic.
"""
