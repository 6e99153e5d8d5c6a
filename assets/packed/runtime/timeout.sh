#!/bin/bash
((T[$1]==0||T[$1]>l))||l=${T[$1]} y="step timeout"
