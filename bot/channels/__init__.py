"""Ways citizens reach the bot: the chat page and widget (`chat_page`, over the socket.io
channel `webchat`), later messenger adapters. Every channel speaks the conversation
contract (`contracts/conversation.md`) with Rasa; none of them holds dialogue logic.
"""

import re

# One chat message at most: the page's input holds it, the socket.io channel enforces it.
MAX_MESSAGE_CHARS = 2000

# Rasa's REST channel is on only with this bearer token (bot/channels/rest.py).
REST_TOKEN_ENV = "ANTRAGSLOTSE_REST_TOKEN"
# Several Rasa instances share socket.io rooms through this Redis (bot/channels/webchat.py).
REDIS_HOST_ENV, REDIS_PORT_ENV = "ANTRAGSLOTSE_REDIS_HOST", "ANTRAGSLOTSE_REDIS_PORT"
# A conversation id as a trusted client may name it; the web's are issued by the server.
SENDER_RE = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
