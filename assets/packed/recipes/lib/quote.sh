#!/bin/bash
sq(){ printf "'%s'" "${1//\'/\'\\\'\'}";}
