#!/bin/bash
[ "${U[i]}" = root ]||c=(sudo -nu "${U[i]}" -i -- bash "$h/lcc/u" "$1")
