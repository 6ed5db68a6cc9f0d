"""The payloads the API takes, checked before any request.

Messages, broadcasts, posts, automated messages, and the batches operators read whole first.

Each module builds the body one endpoint takes from what a DAG gives (templated text included) and
refuses a bad value naming its field; none imports a hook or an HTTP client.
"""
