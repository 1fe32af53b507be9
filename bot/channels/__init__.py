"""Ways citizens reach the bot: the chat page and widget (`chat_page`, over the socket.io
channel `webchat`), later messenger adapters. Every channel speaks the conversation
contract (`contracts/conversation.md`) with Rasa; none of them holds dialogue logic.
"""

# One chat message at most: the page's input holds it, the socket.io channel enforces it.
MAX_MESSAGE_CHARS = 2000
