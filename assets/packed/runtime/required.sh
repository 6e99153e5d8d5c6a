#!/bin/bash
[ "${Q[i]}" = 0 ]||[ "${S[i]}" = ok ]||E=1
