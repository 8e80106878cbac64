"""A Consumer written the way the official SDK (signalwire 2.1.1) documents it.

Only the import differs (it was ``from signalwire.relay.consumer import
Consumer``); the credentials come from the environment, as a deployed
consumer's would. Prints what each hook saw, for the test that runs it.
"""

import os

from relay_anyio import Consumer


class CustomConsumer(Consumer):
    def setup(self):
        self.project = os.environ["RELAY_PROJECT"]
        self.token = os.environ["RELAY_TOKEN"]
        self.host = os.environ["RELAY_HOST"]
        self.contexts = ["office"]

    def ready(self):
        print("ready", flush=True)

    async def on_incoming_call(self, call):
        result = await call.answer()
        if result.successful:
            await call.play_tts(text="Welcome to the office")
            await call.hangup()
            print("call answered and ended", flush=True)

    async def on_task(self, message):
        print(f"task for {message['number']}", flush=True)
        result = await self.client.messaging.send(
            context="office", from_number="+15551000000", to_number=message["number"], body="Your order shipped"
        )
        print(f"sent {result.successful} {result.message_id}", flush=True)

    async def on_incoming_message(self, message):
        print(f"message from {message.from_number}: {message.body}", flush=True)

    async def on_message_state_change(self, message):
        print(f"state {message.id} {message.state}", flush=True)

    def teardown(self):
        print("teardown", flush=True)


consumer = CustomConsumer()
consumer.run()
