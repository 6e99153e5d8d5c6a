import base64
base64.b85decode(input())
