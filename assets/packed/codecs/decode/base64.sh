#!/bin/bash
base64 -d
