#!/bin/bash
gzip -dc
